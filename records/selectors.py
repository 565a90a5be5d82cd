"""Reads for the records pages that are more than one queryset method."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from clinic.models import Patient
from hms.lib.paging import paginate
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
    page = paginate(visits, 20, number)
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
    """Every change of a record, newest first (two queries): who, when, the reason given, the
    record's fields that changed (label, old, new) and the prescription lines added, removed or
    changed — a changed line with the fields that changed. Only real changes are listed: a
    version whose content equals the one before it is left out.

    A line's versions belong to the record version saved at or just before them (the services
    save the record first and date the line versions like it)."""
    versions = list(record.history.select_related("history_user").order_by("history_date", "pk"))
    line_versions = PrescriptionItem.history.filter(record_id=record.pk).order_by(
        "history_date", "pk"
    )
    dates = [v.history_date for v in versions]
    lines: list[list[dict]] = [[] for _ in versions]
    previous: dict[int, Any] = {}  # a line's id → its latest version so far
    for line in line_versions:
        at = max(bisect_right(dates, line.history_date) - 1, 0)
        change = _line_change(previous.get(line.id), line)
        previous[line.id] = line
        if change and lines:
            lines[at].append(change)
    rows = []
    for n, version in enumerate(versions):
        fields = _record_changes(versions[n - 1], version) if n else []
        if n == 0 or fields or lines[n]:
            rows.append({"version": version, "fields": fields, "lines": lines[n]})
    return rows[::-1]


def _record_changes(older, newer) -> list[dict]:
    changes = newer.diff_against(older, excluded_fields=["created", "updated"]).changes
    return [
        {
            "label": capfirst(VisitRecord._meta.get_field(c.field).verbose_name),
            "old": _shown(older, c.field),
            "new": _shown(newer, c.field),
        }
        for c in changes
    ]


def _shown(version, name: str) -> str:
    field = VisitRecord._meta.get_field(name)
    value = getattr(version, name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def _line_change(before, line) -> dict | None:
    """What one version of a prescription line changed: added, removed, or changed with the
    fields that differ from its previous version (None when its content is the same)."""
    if line.history_type == "+":
        return {"kind": "added", "line": line, "fields": []}
    if line.history_type == "-":
        return {"kind": "removed", "line": line, "fields": []}
    if before is None:
        return {"kind": "changed", "line": line, "fields": []}
    fields = [
        {
            "label": capfirst(PrescriptionItem._meta.get_field(name).verbose_name),
            "old": getattr(before, name),
            "new": getattr(line, name),
        }
        for name in PrescriptionItem.CONTENT_FIELDS
        if getattr(before, name) != getattr(line, name)
    ]
    return {"kind": "changed", "line": line, "fields": fields} if fields else None
