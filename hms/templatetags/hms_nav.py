"""The site navigation, rendered once per role and section in each process (finding 10).

`includes/nav.html` cost about 1.2 ms a page (a dozen `{% url %}`, eleven permission checks, the
active-link tests). It depends on little: whether the user is signed in and staff, the
permissions in NAV_PERMS, which section the path is in, the user's name and e-mail and the CSRF
token. `{% site_nav %}` computes the first three on every request (from the user's cached
permission set, so a role change shows on the next request) and keys a per-process cache on
them; the template is rendered with placeholders for the name, e-mail and token, which are
filled in, escaped, per request. Nothing user-specific is stored, so nothing needs invalidating:
a new key appears when a role or section changes, and templates change with a deploy (restart).

The template is rendered with only `nav`, `perms` (NAV_PERMS) and HOSPITAL_NAME in its context:
reading anything else there fails in tests (FAIL_INVALID_TEMPLATE_VARS), so the key cannot miss
something the markup depends on.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NAV_PERMS = (
    "scheduling.manage_all_appointments",
    "clinic.change_doctor",
    "clinic.change_patient",
    "clinic.change_department",
    "records.view_all_records",
    "scheduling.add_holiday",
    "scheduling.manage_own_schedule",
    "scheduling.book_own_appointment",
    "clinic.view_doctor",
    "clinic.change_own_doctor_profile",
    "clinic.change_own_patient_profile",
)
_PLACEHOLDER = re.compile(r"@@hms-nav-(name|email|csrf)@@")
_MAX_ENTRIES = 500
_cache: dict[tuple, str] = {}


def active_sections(path: str) -> dict[str, bool]:
    """Which menu entries the path highlights (the template only reads these flags)."""
    return {
        "dashboard": path[:10] == "/dashboard",
        "appointments": "/scheduling/appointments" in path,
        "staff_doctors": "/clinic/staff/doctors" in path,
        "staff_patients": "/clinic/staff/patients" in path,
        "departments": "/clinic/departments" in path,
        "records": "/records/" in path,
        "holidays": "/scheduling/holidays" in path,
        "today": "/scheduling/today" in path,
        "week": "/scheduling/week" in path,
        "availability": "/scheduling/availability" in path,
        "directory": path[:15] == "/clinic/doctors",
        "my_appointments": "/scheduling/my" in path or "/scheduling/appointments" in path,
    }


def _render(authenticated: bool, is_staff: bool, granted: tuple, active: dict) -> str:
    perms: dict[str, dict[str, bool]] = {}
    for name, ok in zip(NAV_PERMS, granted, strict=True):
        app, codename = name.split(".")
        perms.setdefault(app, {})[codename] = ok
    return get_template("includes/nav.html").render(
        {
            "nav": {
                "authenticated": authenticated,
                "is_staff": is_staff,
                "active": active,
                "name": "@@hms-nav-name@@",
                "email": "@@hms-nav-email@@",
            },
            "perms": perms,
            "csrf_token": "@@hms-nav-csrf@@",
            "HOSPITAL_NAME": settings.HOSPITAL_NAME,
        }
    )


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    is_staff = authenticated and bool(user.is_staff)
    granted = tuple(
        authenticated and user.has_perm(name) for name in NAV_PERMS
    )  # all False when signed out
    active = active_sections(request.path if request is not None else "")
    key = (get_script_prefix(), authenticated, is_staff, granted, tuple(active.values()))
    html = _cache.get(key)
    if html is None:
        html = _render(authenticated, is_staff, granted, active)
        if not settings.DEBUG:  # while developing, template edits show at once
            if len(_cache) >= _MAX_ENTRIES:
                _cache.clear()
            _cache[key] = html
    if not authenticated:
        return mark_safe(html)  # noqa: S308 - rendered with autoescape, nothing user-specific
    values = {
        "name": escape(user.get_full_name() or user.email),
        "email": escape(user.email),
        "csrf": escape(str(context.get("csrf_token") or "")),
    }
    return mark_safe(_PLACEHOLDER.sub(lambda m: values[m.group(1)], html))  # noqa: S308 - escaped


@lru_cache(maxsize=256)
def _static_url(path: str) -> str:
    return static(path)


@register.simple_tag
def static_url(path: str) -> str:
    """`{% static %}` remembered per process: the manifest's file names change only on deploy."""
    return static(path) if settings.DEBUG else _static_url(path)
