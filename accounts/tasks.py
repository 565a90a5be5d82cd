from __future__ import annotations

import logging

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from hms.lib import emails, outbox

logger = logging.getLogger(__name__)


def invitation_link(user: User) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.HMS_BASE_URL}{path}"


@outbox.handler("accounts.rendered_email", sensitive=True)
def send_rendered_email(message: dict) -> None:
    """An e-mail allauth rendered in the request (its links are secrets: the outbox forgets the
    message once it is sent)."""
    emails.send_rendered(**message)


@outbox.handler("accounts.invitation")
def send_invitation(user_id: int) -> bool:
    """E-mail a staff-created user a link to set their password. Skips users who already did."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    # No address (a walk-in, or one cleared in Django admin): nothing to send to.
    if user is None or user.has_usable_password() or not user.email:
        return False
    emails.send(
        "invitation",
        to=user.email,
        subject="Your account is ready",
        context={
            "user": user,
            "link": invitation_link(user),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    logger.info("Invitation sent", extra={"user_id": user.pk})
    return True
