"""Sign users out after a period without activity: shorter for staff than for patients."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_KEY = "hms_last_activity"
WRITE_EVERY = 60  # seconds: don't rewrite the session on every request


def idle_limit(user) -> int:
    staff = user.has_perm("accounts.view_hospital_dashboard") or user.has_perm(
        "accounts.view_doctor_dashboard"
    )
    minutes = settings.HMS_IDLE_TIMEOUT_STAFF if staff else settings.HMS_IDLE_TIMEOUT_PATIENT
    return minutes * 60


def stamp_login(sender, request, user, **kwargs) -> None:
    """Start the idle clock at login (so the first page needs no session write)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_KEY, now)
            if now - last > idle_limit(request.user):
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            if now - last >= WRITE_EVERY:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
