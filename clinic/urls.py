app_name = "clinic"

urlpatterns: list = []
