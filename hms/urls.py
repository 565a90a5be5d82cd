from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from hms import health, views

# The admin signs in through allauth's login page, so it gets the same rate limits.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = f"{settings.HOSPITAL_NAME} administration"
admin.site.site_title = "HMS admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("_bench/hello", views.bench_hello, name="bench-hello"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("reports.urls")),
    path("clinic/", include("clinic.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("records/", include("records.urls")),
]
