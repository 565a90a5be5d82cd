"""Session rules: idle sign-out (shorter for staff than for patients) and staff two-factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.access import is_staff_member

SESSION_KEY = "hms_last_activity"
WRITE_EVERY = 60  # seconds: don't rewrite the session on every request
# Sent by pages that refresh themselves (today's queue polls every 15 s): such a request is not
# someone at the screen, so it must not keep an unattended session signed in.
POLL_HEADER = "X-HMS-Poll"


def idle_limit(user) -> int:
    staff = is_staff_member(user)
    minutes = settings.HMS_IDLE_TIMEOUT_STAFF if staff else settings.HMS_IDLE_TIMEOUT_PATIENT
    return minutes * 60


def stamp_login(sender, request, user, **kwargs) -> None:
    """Start the idle clock at login (so the first page needs no session write)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


def _to_login(request) -> HttpResponse:
    """The sign-in page; for htmx the whole page goes there (not a login form swapped into a
    fragment of the page)."""
    response = redirect_to_login(request.get_full_path())
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": response.url})
    return response


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
                return _to_login(request)
            if now - last >= WRITE_EVERY and not request.headers.get(POLL_HEADER):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


MFA_OK_KEY = "hms_mfa_ok"


class StaffTwoFactorMiddleware:
    """With HMS_REQUIRE_MFA_FOR_STAFF on, staff without an authenticator app may only open the
    account pages (where two-factor is set up, and sign-out) until they have set it up.

    Once set up, the session remembers it, so the check costs no query per request; staff may not
    remove the authenticator afterwards (accounts.adapters.MFAAdapter).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.HMS_REQUIRE_MFA_FOR_STAFF or not request.user.is_authenticated:
            return None
        if request.session.get(MFA_OK_KEY) or view_func.__module__.startswith("allauth."):
            return None
        if not is_staff_member(request.user):
            return None
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import is_mfa_enabled

        if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            request.session[MFA_OK_KEY] = True
            return None
        messages.warning(
            request,
            "Staff accounts need two-factor sign-in. Set up an authenticator app to continue.",
        )
        return redirect("mfa_activate_totp")
