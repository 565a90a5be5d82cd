from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require_permission
from clinic.models import Doctor, Patient
from clinic.selectors import hospital_totals
from reports.access import dashboard_url_for
from scheduling.models import Appointment
from scheduling.selectors import own_waitlist
from scheduling.slots import day_bounds


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """/dashboard/: send each user to the dashboard of their role."""
    url = dashboard_url_for(request.user)
    if url is None:
        raise PermissionDenied("Your account has no role yet. Please contact the hospital office.")
    return redirect(url)


@require_safe
@require_permission("accounts.view_hospital_dashboard")
def hospital_dashboard(request: HttpRequest) -> HttpResponse:
    attention = Appointment.objects.upcoming().needing_attention().count()
    return render(
        request,
        "reports/hospital_dashboard.html",
        {"totals": hospital_totals(), "attention_count": attention},
    )


@require_safe
@require_permission("accounts.view_doctor_dashboard")
def doctor_dashboard(request: HttpRequest) -> HttpResponse:
    doctor = Doctor.objects.with_related().filter(user=request.user).first()
    start, end = day_bounds(timezone.localdate())
    today = list(
        Appointment.objects.with_related()
        .with_attention()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
    )
    upcoming = Appointment.objects.open().filter(doctor=doctor, start__gte=end).count()
    attention = Appointment.objects.upcoming().needing_attention().filter(doctor=doctor).count()
    months = _monthly_counts(
        Appointment.objects.filter(doctor=doctor, status="completed"),
        "start",
        months=6,
        distinct="patient",
    )
    return render(
        request,
        "reports/doctor_dashboard.html",
        {
            "doctor": doctor,
            "today": today,
            "upcoming_count": upcoming,
            "attention_count": attention,
            "months": months,
            "seen_this_month": months[-1][1],
            "chart_data": {
                "perMonth": {
                    "labels": [m.strftime("%b %Y") for m, _ in months],
                    "values": [n for _, n in months],
                }
            },
        },
    )


@require_safe
@require_permission("accounts.view_patient_dashboard")
def patient_dashboard(request: HttpRequest) -> HttpResponse:
    patient = Patient.objects.filter(user=request.user).first()
    upcoming = list(
        Appointment.objects.with_related()
        .with_attention()
        .open()
        .upcoming()
        .filter(patient=patient)
        .order_by("start")[:3]
    )
    months = _monthly_counts(
        Appointment.objects.filter(patient=patient, status="completed"), "start", months=12
    )
    return render(
        request,
        "reports/patient_dashboard.html",
        {
            "patient": patient,
            "upcoming": upcoming,
            "waitlist_offers": own_waitlist(request.user)["offers"],
            "months": months,
            "chart_data": {
                "perMonth": {
                    "labels": [m.strftime("%b") for m, _ in months],
                    "values": [n for _, n in months],
                }
            },
        },
    )


def _monthly_counts(queryset, field: str, *, months: int, distinct: str | None = None):
    """[(first day of month, count)] for the last `months` months, in one query."""
    from django.db.models.functions import TruncMonth

    zone = timezone.get_current_timezone()
    current = timezone.localdate().replace(day=1)
    firsts = [current]
    for _ in range(months - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    start = datetime.combine(firsts[0], datetime.min.time(), tzinfo=zone)
    counted = dict(
        queryset.filter(**{f"{field}__gte": start})
        .annotate(month=TruncMonth(field, tzinfo=zone))
        .values_list("month")
        .annotate(n=Count(distinct or "pk", distinct=bool(distinct)))
        .values_list("month", "n")
    )
    counted = {(k.date() if hasattr(k, "date") else k): v for k, v in counted.items()}
    return [(first, counted.get(first, 0)) for first in firsts]


def _month_param(request: HttpRequest) -> date:
    from reports.monthly import previous_month

    value = request.GET.get("month", "")
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return previous_month(timezone.localdate())
    return (
        first
        if first <= timezone.localdate().replace(day=1)
        else previous_month(timezone.localdate())
    )


@require_safe
def monthly_report(request: HttpRequest, doctor_pk: int | None = None) -> HttpResponse:
    """A doctor's monthly report: their own (doctors) or any doctor's (hospital admins)."""
    if doctor_pk is None:
        doctor = get_object_or_404(Doctor.objects.with_related(), user=request.user)
        if not request.user.has_perm("accounts.view_doctor_dashboard"):
            raise PermissionDenied
    elif request.user.has_perm("reports.view_hospital_reports"):
        doctor = get_object_or_404(Doctor.objects.with_related(), pk=doctor_pk)
    else:
        raise PermissionDenied
    return _monthly_page_or_pdf(request, doctor, own=doctor_pk is None)


@require_safe
@require_permission("reports.view_hospital_reports")
def hospital_monthly_report(request: HttpRequest) -> HttpResponse:
    """The whole hospital's monthly report (all doctors), for hospital admins."""
    return _monthly_page_or_pdf(request, None, own=False)


def _monthly_page_or_pdf(request: HttpRequest, doctor: Doctor | None, *, own: bool):
    """The list of months, or (?format=pdf) one month's PDF; doctor=None: the hospital."""
    from reports.monthly import monthly_pdf, monthly_stats

    first = _month_param(request)
    if request.GET.get("format") != "pdf":
        return render(
            request,
            "reports/monthly.html",
            {
                "doctor": doctor,
                "month": first,
                "months": _recent_months(12),
                "own": own,
            },
        )
    response = HttpResponse(
        monthly_pdf(monthly_stats(doctor, first)), content_type="application/pdf"
    )
    name = f"report-{doctor.pk}" if doctor else "hospital"
    response["Content-Disposition"] = f'attachment; filename="{name}-{first:%Y-%m}.pdf"'
    return response


def _recent_months(n: int) -> list[date]:
    from reports.monthly import previous_month

    months, current = [], timezone.localdate().replace(day=1)
    for _ in range(n):
        months.append(current)
        current = previous_month(current)
    return months


@require_safe
@require_permission("reports.view_hospital_reports")
def analytics(request: HttpRequest) -> HttpResponse:
    from reports.analytics import hospital_analytics

    days = 90 if request.GET.get("days") == "90" else 30
    data = hospital_analytics(days)
    chart_data = {
        "perDay": {
            "labels": [d.isoformat() for d, _ in data["per_day"]],
            "values": [n for _, n in data["per_day"]],
        },
        "byDepartment": {
            "labels": [name for name, _ in data["by_department"]],
            "values": [n for _, n in data["by_department"]],
        },
        "byStatus": {
            "labels": [label for label, _ in data["by_status"]],
            "values": [n for _, n in data["by_status"]],
        },
        "newPatients": {
            "labels": [d.isoformat() for d, _ in data["new_patients"]],
            "values": [n for _, n in data["new_patients"]],
        },
    }
    from reports.models import SentNotification

    failed = list(
        SentNotification.objects.filter(status=SentNotification.Status.FAILED)
        .select_related("appointment__patient__user", "doctor__user")
        .order_by("-updated")[:10]
    )
    return render(
        request,
        "reports/analytics.html",
        {"data": data, "chart_data": chart_data, "failed": failed},
    )


@require_permission("reports.view_hospital_reports")
def report_exports(request: HttpRequest) -> HttpResponse:
    """Hospital CSV reports for a date range, built in the background."""
    from records.models import Export
    from reports.csv_reports import report_start
    from reports.forms import ReportForm

    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doctor = form.cleaned_data["doctor"]
        export = report_start(
            kind=form.cleaned_data["kind"],
            first=form.cleaned_data["date_from"],
            last=form.cleaned_data["date_to"],
            doctor_id=doctor.pk if doctor else None,
            by=request.user,
        )
        return redirect("records:export-detail", pk=export.pk)
    recent = Export.objects.filter(owner=request.user, patient__isnull=True)[:20]
    return render(request, "reports/report_exports.html", {"form": form, "recent": recent})
