"""The one way HMS sends an e-mail: `send(template, to=..., subject=..., context=...)`.

Renders `emails/<template>.txt` and `.html` with the hospital's name, address, phone and public
address (HMS_BASE_URL) in the context. Run by the outbox, the message's Message-ID is derived from
the outbox key, so a copy sent again after a worker crash is the same message to mail servers
and clients (which drop duplicates by Message-ID).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from hms.lib.outbox.registry import current_key


def hospital_context() -> dict[str, str]:
    return {
        "hospital_name": settings.HOSPITAL_NAME,
        "hospital_address": settings.HOSPITAL_ADDRESS,
        "hospital_phone": settings.HOSPITAL_PHONE,
        "site": settings.HMS_BASE_URL,
    }


def message_id(key: str) -> str:
    """A stable Message-ID for the send-once `key`."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "hms.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _stamp(message: EmailMultiAlternatives) -> None:
    key = current_key.get()
    if key:
        message.extra_headers["Message-ID"] = message_id(key)


def send_rendered(*, subject: str, body: str, html: str, to: list[str], from_email: str) -> None:
    """Send a message rendered elsewhere (allauth's e-mails, rendered in the request)."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    _stamp(message)
    message.send()


def send(
    template: str,
    *,
    to: str | list[str],
    subject: str,
    context: dict | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
) -> None:
    """Send one e-mail (text and HTML) now; call it from an outbox handler, never a request."""
    context = {**hospital_context(), **(context or {})}
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to] if isinstance(to, str) else list(to),
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    _stamp(message)
    message.send()
