from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import require_permission
from accounts.roles import DOCTOR, HOSPITAL_ADMIN, PATIENT
from reports.access import dashboard_url_for


def dashboard(request: HttpRequest) -> HttpResponse:
    """/dashboard/: send each user to the dashboard of their role."""
    url = dashboard_url_for(request.user)
    if url is None:
        raise PermissionDenied("Your account has no role yet. Please contact the hospital office.")
    return redirect(url)


@require_permission("accounts.view_hospital_dashboard")
def hospital_dashboard(request: HttpRequest) -> HttpResponse:
    User = get_user_model()
    totals = User.objects.filter(is_active=True).aggregate(
        admins=Count("pk", filter=Q(groups__name=HOSPITAL_ADMIN)),
        doctors=Count("pk", filter=Q(groups__name=DOCTOR)),
        patients=Count("pk", filter=Q(groups__name=PATIENT)),
    )
    return render(request, "reports/hospital_dashboard.html", {"totals": totals})


@require_permission("accounts.view_doctor_dashboard")
def doctor_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/doctor_dashboard.html")


@require_permission("accounts.view_patient_dashboard")
def patient_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/patient_dashboard.html")
