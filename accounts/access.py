"""Who may open what in accounts, and the one permission decorator every app's views use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.roles import ROLES


def require_permission(perm: str) -> Callable:
    """Anonymous users go to the login page; signed-in users without `perm` get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_staff_member(user) -> bool:
    """Doctors, hospital admins, the front desk, superusers and anyone Django admin lets in
    (is_staff): the shorter idle limit and enforceable two-factor apply to them."""
    return (
        user.is_staff
        or user.has_perm("accounts.view_hospital_dashboard")
        or user.has_perm("accounts.view_doctor_dashboard")
        or user.has_perm("scheduling.manage_all_appointments")  # the front desk
    )


def roles_of(user) -> list[str]:
    """The role names a user holds, in the fixed order of accounts.roles.ROLES."""
    if not user.is_authenticated:
        return []
    names = getattr(user, "_group_names", None)  # read with the signed-in user (hms.auth)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role in names]


def int_param(value: str | None, *, max_digits: int = 12) -> int | None:
    """A positive id from a query/form parameter, or None (never an exception).

    str.isdigit() accepts characters int() refuses (e.g. "²"); isdecimal() plus ASCII does not.
    """
    if value and value.isascii() and value.isdecimal() and len(value) <= max_digits:
        return int(value)
    return None
