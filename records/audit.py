"""The access log: every read, export and change of patient data, and every refusal."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from accounts.access import roles_of
from records.models import AccessLogEntry


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind N trusted proxies (TRUSTED_PROXY_COUNT), the Nth address
    from the right of X-Forwarded-For, which those proxies appended; addresses further left are
    client-controlled and never trusted. With no proxies configured, REMOTE_ADDR."""
    proxies = settings.HMS_TRUSTED_PROXY_COUNT
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if proxies and len(forwarded) >= proxies:
        candidate = forwarded[-proxies]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return None
    return request.META.get("REMOTE_ADDR") or None


def audit(
    request: HttpRequest,
    *,
    patient,
    object_type: str,
    object_id: object = "",
    action: str,
    allowed: bool = True,
    actor=None,
    role: str = "",
    path: str = "",
) -> AccessLogEntry:
    """One access-log row. The actor is the signed-in user, or for a request authenticated
    otherwise (a calendar feed's token) `actor` with `role` saying how ("calendar feed"); `path`
    replaces the request's when that carries a secret (the token)."""
    user = actor or (request.user if request.user.is_authenticated else None)
    return AccessLogEntry.objects.create(
        actor=user,
        role=role or (", ".join(roles_of(user)) if user else "anonymous"),
        patient=patient,
        object_type=object_type,
        object_id=str(object_id or "")[:40],
        action=action,
        outcome=AccessLogEntry.Outcome.ALLOWED if allowed else AccessLogEntry.Outcome.DENIED,
        ip=client_ip(request),
        path=(path or request.get_full_path())[:300],
    )


def audit_command(
    command: str, *, patient, object_type: str, object_id: object = "", action: str
) -> AccessLogEntry:
    """An access by an operator's management command: no signed-in user, no address; the
    command's name stands where a web access keeps its path."""
    return AccessLogEntry.objects.create(
        actor=None,
        role="command line",
        patient=patient,
        object_type=object_type,
        object_id=str(object_id or "")[:40],
        action=action,
        path=f"manage.py {command}"[:300],
    )
