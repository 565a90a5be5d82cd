from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import require_permission
from clinic.models import Doctor, Patient
from clinic.selectors import hospital_totals
from reports.access import dashboard_url_for
from scheduling.models import Appointment
from scheduling.slots import day_bounds


def dashboard(request: HttpRequest) -> HttpResponse:
    """/dashboard/: send each user to the dashboard of their role."""
    url = dashboard_url_for(request.user)
    if url is None:
        raise PermissionDenied("Your account has no role yet. Please contact the hospital office.")
    return redirect(url)


@require_permission("accounts.view_hospital_dashboard")
def hospital_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/hospital_dashboard.html", {"totals": hospital_totals()})


@require_permission("accounts.view_doctor_dashboard")
def doctor_dashboard(request: HttpRequest) -> HttpResponse:
    doctor = Doctor.objects.with_related().filter(user=request.user).first()
    start, end = day_bounds(timezone.localdate())
    today = list(
        Appointment.objects.with_related()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
    )
    upcoming = Appointment.objects.active().filter(doctor=doctor, start__gte=end).count()
    return render(
        request,
        "reports/doctor_dashboard.html",
        {"doctor": doctor, "today": today, "upcoming_count": upcoming},
    )


@require_permission("accounts.view_patient_dashboard")
def patient_dashboard(request: HttpRequest) -> HttpResponse:
    patient = Patient.objects.filter(user=request.user).first()
    upcoming = list(
        Appointment.objects.with_related()
        .active()
        .upcoming()
        .filter(patient=patient)
        .order_by("start")[:3]
    )
    return render(
        request, "reports/patient_dashboard.html", {"patient": patient, "upcoming": upcoming}
    )
