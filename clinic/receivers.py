"""Cache busting on changes made outside clinic's services (hms.lib.cached)."""

from __future__ import annotations

from hms.lib import cached


def user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A doctor's name or e-mail changed on their user (Django admin's user page, a profile
    form): the directory and every list of doctors show it from their next read (and calendar
    feeds, whose version follows the directory's). A sign-in only stamps `last_login`."""
    from clinic.models import Doctor
    from clinic.selectors import DIRECTORY

    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if Doctor.objects.filter(user_id=instance.pk).exists():
        cached.invalidate(DIRECTORY)
