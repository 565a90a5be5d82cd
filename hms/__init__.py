# Text rules for every form field, before any form class is defined (hms/lib/text.py).
from .lib import text as _text

_text.install()

# The Celery app is loaded with Django so that @shared_task binds to it.
from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
