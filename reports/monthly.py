"""The monthly doctor activity report: numbers (aggregated in the database), an SVG chart drawn
here, a WeasyPrint PDF, and its delivery by e-mail through the send-once ledger."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
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
    scope = {"doctor": doctor} if doctor else {}
    in_month = Appointment.objects.filter(start__gte=start, start__lt=end, **scope)
    total, counts = _status_counts(in_month)
    seen, new = _patients_seen_and_new(in_month, scope, start)
    attended = counts["completed"] + counts["no_show"]
    return MonthlyStats(
        doctor=doctor,
        month=first,
        by_status=counts,
        total=total,
        patients_seen=len(seen),
        new_patients=new,
        returning_patients=len(seen) - new,
        no_show_rate=(counts["no_show"] / attended) if attended else None,
        top_diagnoses=_top_diagnoses(in_month),
        busiest_days=_busiest_weekdays(in_month),
        daily=_daily_counts(in_month, first),
    )


def _status_counts(in_month: QuerySet) -> tuple[int, dict[str, int]]:
    """The month's appointment count, and the count for every status (zeros included)."""
    counts = in_month.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Appointment.Status.values},
    )
    total = counts.pop("total")
    return total, counts


def _patients_seen_and_new(in_month: QuerySet, scope: dict, start: datetime) -> tuple[set, int]:
    """The patients seen in the month, and how many of them came for the first time."""
    seen = set(in_month.filter(status="completed").values_list("patient_id", flat=True))
    first_visits = (
        Appointment.objects.filter(status="completed", patient_id__in=seen, **scope)
        .values("patient_id")
        .annotate(first=Min("start"))
    )
    return seen, sum(1 for row in first_visits if row["first"] >= start)


def _top_diagnoses(in_month: QuerySet) -> list[tuple[str, int]]:
    """The five most frequent diagnoses of the month's visits, with their counts."""
    return list(
        VisitRecord.objects.filter(appointment__in=in_month)
        .values_list("diagnosis")
        .annotate(n=Count("pk"))
        .order_by("-n", "diagnosis")[:5]
    )


def _busiest_weekdays(in_month: QuerySet) -> list[tuple[str, int]]:
    """Weekdays by number of appointments not cancelled, busiest first (ties: Monday first)."""
    weekdays = dict(
        in_month.exclude(status="cancelled")
        .annotate(wd=ExtractIsoWeekDay("start", tzinfo=timezone.get_current_timezone()))
        .values_list("wd")
        .annotate(n=Count("pk"))
        .values_list("wd", "n")
    )
    return sorted(
        ((WEEKDAYS[d - 1], n) for d, n in weekdays.items()),
        key=lambda x: (-x[1], WEEKDAYS.index(x[0])),
    )


def _daily_counts(in_month: QuerySet, first: date) -> list[tuple[date, int]]:
    """Appointments (not cancelled) on each day of the month, 0 on days without any."""
    per_day = dict(
        in_month.exclude(status="cancelled")
        .annotate(day=TruncDate("start", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = calendar.monthrange(first.year, first.month)[1]
    return [
        (first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


@dataclass(frozen=True)
class _ChartFrame:
    """The daily-load chart's geometry: its size, margins, bar width and vertical scale."""

    width: int
    height: int
    days: int
    peak: int
    left: int = 28
    bottom: int = 18
    top: int = 8

    @property
    def bar_w(self) -> float:
        return (self.width - self.left) / max(self.days, 1)

    @property
    def plot_h(self) -> int:
        return self.height - self.bottom - self.top


def daily_load_svg(
    daily: list[tuple[date, int]], width: int = 640, height: int = 160
) -> SafeString:
    """A bar chart of appointments per day, as inline SVG (WeasyPrint renders it in the PDF)."""
    peak = max((n for _, n in daily), default=0) or 1
    frame = _ChartFrame(width=width, height=height, days=len(daily), peak=peak)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="Appointments per day">'
        '<line x1="{l}" y1="{b}" x2="{w}" y2="{b}" stroke="#adb5bd"/>'
        '<text x="0" y="{t2}" font-size="8" fill="#6c757d">{peak}</text>'
        '<text x="0" y="{b}" font-size="8" fill="#6c757d">0</text>{bars}{labels}</svg>',
        w=width,
        h=height,
        l=frame.left,
        b=height - frame.bottom,
        t2=frame.top + 6,
        peak=peak,
        bars=_chart_bars(frame, daily),
        labels=_chart_day_labels(frame, daily),
    )


def _chart_bars(frame: _ChartFrame, daily: list[tuple[date, int]]) -> SafeString:
    """One bar per day, its height scaled to the peak, with the date and count as its title."""
    bar_w, plot_h, peak = frame.bar_w, frame.plot_h, frame.peak
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#0d6efd"><title>{}: {}</title></rect>',
        (
            # Numbers pre-formatted: format_html escapes arguments before formatting them.
            (
                f"{frame.left + i * bar_w + 1:.1f}",
                f"{frame.top + plot_h - n / peak * plot_h:.1f}",
                f"{bar_w - 2:.1f}",
                f"{n / peak * plot_h:.1f}",
                d.isoformat(),
                n,
            )
            for i, (d, n) in enumerate(daily)
        ),
    )


def _chart_day_labels(frame: _ChartFrame, daily: list[tuple[date, int]]) -> SafeString:
    """Day-of-month labels under the bars of the 1st, 5th, 10th, ... day."""
    bar_w = frame.bar_w
    return format_html_join(
        "",
        '<text x="{}" y="{}" font-size="8" text-anchor="middle" fill="#6c757d">{}</text>',
        (
            (f"{frame.left + i * bar_w + bar_w / 2:.1f}", frame.height - 5, d.day)
            for i, (d, _) in enumerate(daily)
            if d.day == 1 or d.day % 5 == 0
        ),
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
