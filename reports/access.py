"""Where each role's dashboard is, decided by permissions (accounts.roles), never by role names."""

from __future__ import annotations

from django.urls import reverse

# First match wins: a superuser (all permissions) lands on the hospital dashboard.
DASHBOARDS = (
    ("accounts.view_hospital_dashboard", "reports:hospital-dashboard"),
    ("accounts.view_doctor_dashboard", "reports:doctor-dashboard"),
    ("accounts.view_patient_dashboard", "reports:patient-dashboard"),
    ("scheduling.manage_all_appointments", "scheduling:queue"),  # the front desk
)


def dashboard_url_for(user) -> str | None:
    for perm, url_name in DASHBOARDS:
        if user.has_perm(perm):
            return reverse(url_name)
    return None
