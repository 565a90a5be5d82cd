"""Reads for the records pages that are more than one queryset method."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from clinic.models import Patient
from records.models import AccessLogEntry, PrescriptionItem, VisitRecord
from scheduling.models import Appointment


def timeline_page(patient: Patient, number) -> tuple[Page, list[dict]]:
    """One page (20 visits, latest first) of a patient's history, with each visit's doctor,
    department, diagnosis and prescription lines (two queries, plain values)."""
    visits = (
        VisitRecord.objects.filter(patient=patient)
        .order_by("-appointment__start", "-pk")
        .values(
            "pk",
            "visit_type",
            "diagnosis",
            start=F("appointment__start"),
            doctor_first=F("appointment__doctor__user__first_name"),
            doctor_last=F("appointment__doctor__user__last_name"),
            department=F("appointment__doctor__department__name"),
        )
    )
    page = Paginator(visits, 20).get_page(number)
    rows = list(page)
    lines: dict[int, list[str]] = {}
    for record_id, medicine, dose, frequency in (
        PrescriptionItem.objects.filter(record_id__in=[r["pk"] for r in rows])
        .order_by("pk")
        .values_list("record_id", "medicine", "dose", "frequency")
    ):
        lines.setdefault(record_id, []).append(f"{medicine} {dose} ({frequency})")
    labels = dict(VisitRecord.VisitType.choices)
    for row in rows:
        row["visit_type"] = labels.get(row["visit_type"], row["visit_type"])
        row["prescription"] = "; ".join(lines.get(row["pk"], ()))
    return page, rows


def doctors_patients(user, search: str = "") -> QuerySet[Patient]:
    """A doctor's patients (everyone they have or had an appointment with), with the number of
    completed visits, the last one and the next open appointment."""
    mine = Q(appointments__doctor__user=user)
    completed = mine & Q(appointments__status="completed")
    coming = mine & Q(
        appointments__status__in=Appointment.OPEN_STATUSES,
        appointments__start__gte=timezone.now(),
    )
    patients = (
        Patient.objects.filter(mine)
        .with_related()
        .annotate(
            visit_count=Count("appointments", filter=completed),
            last_visit=Max("appointments__start", filter=completed),
            next_appointment=Min("appointments__start", filter=coming),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return patients.search(search) if search else patients


def access_log_for_patient(patient: Patient) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.select_related("actor", "patient__user").filter(patient=patient)


def record_versions(record: VisitRecord) -> list[dict]:
    """Every saved version of a record, newest first, each with what changed from the one
    before it."""
    versions = list(record.history.select_related("history_user").order_by("-history_date"))
    return [
        {"version": newer, "changes": newer.diff_against(older).changes if older else []}
        for newer, older in zip(versions, [*versions[1:], None], strict=True)
    ]


def prescription_history(record: VisitRecord):
    return (
        PrescriptionItem.history.filter(record_id=record.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )
