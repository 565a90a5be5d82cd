"""A patient's history, a doctor's patients, the staff list of records, the access log."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import require_permission
from hms.lib.paging import paginate
from hms.lib.request import search_text
from records import access, selectors
from records.audit import audit
from records.filters import AccessLogFilter, RecordFilter
from records.models import AccessLogEntry, VisitRecord


@require_safe
def patient_history(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = access.get_patient_history_for_user(request, patient_pk)
    page, rows = selectors.timeline_page(patient, request.GET.get("page"))
    context = {"patient": patient, "page": page, "rows": rows,
               "export_ttl_days": settings.HMS_EXPORT_TTL_DAYS}  # fmt: skip
    return render(request, "records/history.html", context)


@require_safe
def my_history(request: HttpRequest) -> HttpResponse:
    return patient_history(request, access.get_own_patient_id(request))


def _audit_list(request: HttpRequest, what: str, page) -> None:
    audit(request, patient=None, object_type=what, object_id=f"page {page.number}", action="view")


@require_safe
@require_permission("records.write_own_visit_record")
def my_patients(request: HttpRequest) -> HttpResponse:
    """A doctor's patients: everyone they have or had an appointment with."""
    q = search_text(request)
    patients = selectors.doctors_patients(request.user, q)
    page = paginate(patients, 25, request.GET.get("page"))
    _audit_list(request, "patient_list", page)
    return render(request, "records/my_patients.html", {"page": page, "q": q})


@require_safe
@require_permission("records.view_all_records")
def record_list(request: HttpRequest) -> HttpResponse:
    """Oversight list of every record, for hospital admins."""
    records = RecordFilter(
        request.GET, queryset=VisitRecord.objects.with_related().order_by("-appointment__start")
    )
    page = paginate(records.qs, 25, request.GET.get("page"))
    _audit_list(request, "record_list", page)
    return render(request, "records/record_list.html", {"page": page, "filter": records})


@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """Staff search the whole log; a patient sees who accessed their own records."""
    if access.may_search_access_log(request.user):
        entries = AccessLogFilter(
            request.GET, queryset=AccessLogEntry.objects.select_related("actor", "patient__user")
        )
        found, scope = entries.qs, "all"
    else:
        entries = None
        found, scope = selectors.access_log_for_patient(access.get_own_patient(request)), "mine"
    page = paginate(found, 50, request.GET.get("page"))
    context = {"page": page, "scope": scope, "filter": entries}
    return render(request, "records/access_log.html", context)
