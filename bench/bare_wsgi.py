"""WSGI entry of the bench's bare app: `gunicorn -c python:hms.gunicorn_conf bench.bare_wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
application = get_wsgi_application()
