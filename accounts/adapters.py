import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.db import transaction

from accounts.access import is_staff_member
from accounts.roles import PATIENT
from accounts.services import user_set_role
from hms.lib import outbox


def signed_in_with_password_recently(request) -> bool:
    """The password was typed (to sign in or to confirm) less than REAUTHENTICATION_TIMEOUT ago
    in this session (allauth keeps a record of each authentication in the session)."""
    from allauth.account import app_settings
    from allauth.account.internal.flows.login import get_authentication_records

    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    typed = [r["at"] for r in records if r.get("method") == "password"]
    return bool(typed) and time.time() - max(typed) < app_settings.REAUTHENTICATION_TIMEOUT


class HospitalSite:
    """What allauth's e-mails call the site ("Hello from …!", "Thank you for using …!"): the
    hospital's name and its public address, not the host a request happened to come in by."""

    @property
    def name(self) -> str:
        return settings.HOSPITAL_NAME

    @property
    def domain(self) -> str:
        return settings.HMS_BASE_URL


def _public_links(request, context: dict) -> dict:
    """allauth builds its links (confirm, reset, sign up) from the request's host; e-mails
    carry the public address (HMS_BASE_URL) instead."""
    if request is None:
        return context
    origin = request.build_absolute_uri("/")
    public = f"{settings.HMS_BASE_URL}/"
    return {
        key: public + value[len(origin) :]
        if isinstance(value, str) and value.startswith(origin)
        else value
        for key, value in context.items()
    }


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (address confirmation, password reset, security notices) are
        rendered here, in the request that causes them, and sent once by a worker through the
        outbox: a slow or absent mail server never holds a sign-up or a password reset."""
        from allauth.account.adapter import context as allauth_context

        request = allauth_context.request
        context = {"request": request, "email": email, **_public_links(request, context),
                   "current_site": HospitalSite()}  # fmt: skip
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (c for c, mimetype in getattr(message, "alternatives", []) if "html" in mimetype), ""
        )
        if message.content_subtype == "html":  # allauth sends HTML-only bodies as the main part
            html, body = message.body, ""
        else:
            body = message.body
        outbox.enqueue(
            "accounts.rendered_email",
            {"subject": message.subject, "body": body, "html": html, "to": list(message.to),
             "from_email": message.from_email},
        )  # fmt: skip

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Sensitive changes (two-factor set-up, e-mail addresses) ask for the password again,
        but not within REAUTHENTICATION_TIMEOUT of signing in with it: it was just typed. Staff
        are sent to set up two-factor straight from the sign-in form."""
        from allauth.account.adapter import context as allauth_context

        if signed_in_with_password_recently(allauth_context.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def save_user(self, request, user, form, commit=True):
        # Public sign-up only ever creates patients; staff accounts are made by hospital admins.
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                user_set_role(user=user, role=PATIENT)
        return user


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff accounts must keep two-factor sign-in. To move it to a new phone, set up the "
            "app again from the same QR code, or ask a hospital administrator."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # With two-factor enforced for staff, a doctor or admin may not switch it off again.
        if settings.HMS_REQUIRE_MFA_FOR_STAFF and is_staff_member(authenticator.user):
            return authenticator.type != authenticator.Type.TOTP
        return super().can_delete_authenticator(authenticator)
