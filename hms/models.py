# hms has no models; this module exists so that post_migrate is sent for the app (hms/apps.py).
