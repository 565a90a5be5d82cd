"""The monthly doctor activity report: numbers (aggregated in the database), an SVG chart drawn
here, a WeasyPrint PDF, and its delivery by e-mail through the send-once ledger."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractIsoWeekDay, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from clinic.models import Doctor
from hms.lib import emails
from records.models import VisitRecord
from reports.models import SentNotification
from reports.notifications import deliver, ensure_row
from scheduling.models import Appointment

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    days = calendar.monthrange(first.year, first.month)[1]
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(first + timedelta(days=days), time.min, tzinfo=zone)
    return start, end


@dataclass
class MonthlyStats:
    doctor: Doctor | None  # None: the whole hospital
    month: date
    by_status: dict[str, int]
    total: int
    patients_seen: int
    new_patients: int
    returning_patients: int
    no_show_rate: float | None
    top_diagnoses: list[tuple[str, int]]
    busiest_days: list[tuple[str, int]]
    daily: list[tuple[date, int]] = field(default_factory=list)


def monthly_stats(doctor: Doctor | None, first: date) -> MonthlyStats:
    """Everything the report shows, in 6 queries whatever the volume. doctor=None: hospital."""
    start, end = month_bounds(first)
    zone = timezone.get_current_timezone()
    scope = {"doctor": doctor} if doctor else {}
    in_month = Appointment.objects.filter(start__gte=start, start__lt=end, **scope)
    counts = in_month.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Appointment.Status.values},
    )
    total = counts.pop("total")
    seen = set(in_month.filter(status="completed").values_list("patient_id", flat=True))
    first_visits = (
        Appointment.objects.filter(status="completed", patient_id__in=seen, **scope)
        .values("patient_id")
        .annotate(first=Min("start"))
    )
    new = sum(1 for row in first_visits if row["first"] >= start)
    attended = counts["completed"] + counts["no_show"]
    diagnoses = list(
        VisitRecord.objects.filter(appointment__in=in_month)
        .values_list("diagnosis")
        .annotate(n=Count("pk"))
        .order_by("-n", "diagnosis")[:5]
    )
    weekdays = dict(
        in_month.exclude(status="cancelled")
        .annotate(wd=ExtractIsoWeekDay("start", tzinfo=zone))
        .values_list("wd")
        .annotate(n=Count("pk"))
        .values_list("wd", "n")
    )
    per_day = dict(
        in_month.exclude(status="cancelled")
        .annotate(day=TruncDate("start", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = calendar.monthrange(first.year, first.month)[1]
    return MonthlyStats(
        doctor=doctor,
        month=first,
        by_status=counts,
        total=total,
        patients_seen=len(seen),
        new_patients=new,
        returning_patients=len(seen) - new,
        no_show_rate=(counts["no_show"] / attended) if attended else None,
        top_diagnoses=diagnoses,
        busiest_days=sorted(
            ((WEEKDAYS[d - 1], n) for d, n in weekdays.items()),
            key=lambda x: (-x[1], WEEKDAYS.index(x[0])),
        ),
        daily=[
            (first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0))
            for i in range(days)
        ],
    )


def daily_load_svg(
    daily: list[tuple[date, int]], width: int = 640, height: int = 160
) -> SafeString:
    """A bar chart of appointments per day, as inline SVG (WeasyPrint renders it in the PDF)."""
    peak = max((n for _, n in daily), default=0) or 1
    left, bottom, top = 28, 18, 8
    bar_w = (width - left) / max(len(daily), 1)
    plot_h = height - bottom - top
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#0d6efd"><title>{}: {}</title></rect>',
        (
            # Numbers pre-formatted: format_html escapes arguments before formatting them.
            (
                f"{left + i * bar_w + 1:.1f}",
                f"{top + plot_h - n / peak * plot_h:.1f}",
                f"{bar_w - 2:.1f}",
                f"{n / peak * plot_h:.1f}",
                d.isoformat(),
                n,
            )
            for i, (d, n) in enumerate(daily)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="8" text-anchor="middle" fill="#6c757d">{}</text>',
        (
            (f"{left + i * bar_w + bar_w / 2:.1f}", height - 5, d.day)
            for i, (d, _) in enumerate(daily)
            if d.day == 1 or d.day % 5 == 0
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="Appointments per day">'
        '<line x1="{l}" y1="{b}" x2="{w}" y2="{b}" stroke="#adb5bd"/>'
        '<text x="0" y="{t2}" font-size="8" fill="#6c757d">{peak}</text>'
        '<text x="0" y="{b}" font-size="8" fill="#6c757d">0</text>{bars}{labels}</svg>',
        w=width,
        h=height,
        l=left,
        b=height - bottom,
        t2=top + 6,
        peak=peak,
        bars=bars,
        labels=labels,
    )


def monthly_pdf(stats: MonthlyStats) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "pdf/monthly_report.html",
        {
            "s": stats,
            "chart": daily_load_svg(stats.daily),
            "hospital_name": settings.HOSPITAL_NAME,
            "hospital_address": settings.HOSPITAL_ADDRESS,
            "hospital_phone": settings.HOSPITAL_PHONE,
            "generated": timezone.localtime(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def doctors_to_report() -> list[int]:
    return list(Doctor.objects.bookable().values_list("pk", flat=True))


def deliver_monthly_report(doctor_id: int, first: date) -> str:
    doctor = Doctor.objects.with_related().get(pk=doctor_id)
    row = ensure_row(doctor=doctor, month=first, kind=SentNotification.Kind.MONTHLY_REPORT)

    def send() -> None:
        stats = monthly_stats(doctor, first)
        emails.send(
            "reports/monthly",
            to=doctor.user.email,
            subject=f"Your activity report for {first:%B %Y}",
            context={"s": stats},
            attachments=[
                (f"report-{first:%Y-%m}.pdf", monthly_pdf(stats), "application/pdf"),
            ],
        )

    return deliver(row.pk, send)
