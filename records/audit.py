"""The access log: every read, export and change of patient data, and every refusal."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import roles_of
from records.models import AccessLogEntry


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's address behind a load balancer; gunicorn's forwarded_allow_ips
    # and the proxy set it right. X-Forwarded-For is not trusted here (it is client-controlled).
    return request.META.get("REMOTE_ADDR") or None


def audit(
    request: HttpRequest,
    *,
    patient,
    object_type: str,
    object_id: object = "",
    action: str,
    allowed: bool = True,
) -> AccessLogEntry:
    user = request.user if request.user.is_authenticated else None
    return AccessLogEntry.objects.create(
        actor=user,
        role=", ".join(roles_of(user)) if user else "anonymous",
        patient=patient,
        object_type=object_type,
        object_id=str(object_id or ""),
        action=action,
        outcome=AccessLogEntry.Outcome.ALLOWED if allowed else AccessLogEntry.Outcome.DENIED,
        ip=client_ip(request),
        path=request.get_full_path()[:300],
    )
