from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST, require_safe

from accounts.access import int_param
from accounts.templatetags.hms_fast import pk_url
from clinic.models import Patient
from hms.lib.spreadsheets import streamed_csv
from records import access
from records.audit import audit
from records.exports import export_start as export_start_service
from records.exports import history_csv_rows, records_email_start
from records.forms import PrescriptionFormSet, VisitRecordForm
from records.models import AccessLogEntry, Export, PrescriptionItem, VisitRecord
from records.services import RecordError, visit_complete, visit_update
from scheduling.models import Appointment

ITEM_FIELDS = ["medicine", "dose", "frequency", "duration", "instructions"]


def _items(formset) -> list[dict]:
    return [
        {"id": form.instance.pk, **{k: form.cleaned_data[k] for k in ITEM_FIELDS}}
        for form in formset.kept_forms()
    ]


def _record_data(form) -> dict:
    return {k: form.cleaned_data[k] for k in form._meta.fields}


def complete_visit(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    """The doctor writes the visit record; saving it completes the appointment."""
    appointment = access.get_appointment_to_complete(request, appointment_pk)
    if hasattr(appointment, "visit_record"):
        return redirect("records:record-detail", pk=appointment.visit_record.pk)
    visit_date = timezone.localdate(appointment.start)
    form = VisitRecordForm(request.POST or None, visit_date=visit_date)
    formset = PrescriptionFormSet(request.POST or None, prefix="rx")
    if request.method == "GET":  # the form shows the patient's allergies and the reason
        audit(
            request,
            patient=appointment.patient,
            object_type="appointment",
            object_id=appointment.pk,
            action="view",
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            record = visit_complete(
                appointment=appointment,
                by=request.user,
                data=_record_data(form),
                items=_items(formset),
            )
        except RecordError as exc:
            messages.error(request, str(exc))
        else:
            audit(
                request,
                patient=record.patient,
                object_type="visit_record",
                object_id=record.pk,
                action="create",
            )
            messages.success(
                request, "Visit completed. The patient has been told the summary is ready."
            )
            return redirect("records:record-detail", pk=record.pk)
    return render(
        request,
        "records/record_form.html",
        {
            "form": form,
            "formset": formset,
            "appointment": appointment,
            "patient": appointment.patient,
        },
    )


@require_safe
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request, pk)
    return render(
        request,
        "records/record_detail.html",
        {
            "record": record,
            "items": list(record.prescriptions.all()),
            "can_edit": record.author_id == request.user.pk,
            "can_see_versions": request.user.pk == record.author_id
            or access.is_records_staff(request.user)
            or request.user.has_perm("records.write_own_visit_record"),
        },
    )


def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request, pk, write=True)
    visit_date = timezone.localdate(record.appointment.start)
    form = VisitRecordForm(request.POST or None, instance=record, visit_date=visit_date)
    formset = PrescriptionFormSet(request.POST or None, instance=record, prefix="rx")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            visit_update(
                record=record,
                by=request.user,
                data=_record_data(form),
                items=_items(formset),
                deleted_items=formset.deleted_pks(),
            )
        except RecordError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Record saved. The previous version is kept.")
            return redirect("records:record-detail", pk=record.pk)
    return render(
        request,
        "records/record_form.html",
        {
            "form": form,
            "formset": formset,
            "appointment": record.appointment,
            "patient": record.patient,
            "record": record,
        },
    )


@require_safe
def record_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of a record (doctors and staff), newest first, with what changed."""
    record = access.get_record_for_user(request, pk)
    if not (
        access.is_records_staff(request.user)
        or request.user.has_perm("records.write_own_visit_record")
    ):
        raise PermissionDenied
    versions = list(record.history.select_related("history_user").order_by("-history_date"))
    rows = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        changes = newer.diff_against(older).changes if older else []
        rows.append({"version": newer, "changes": changes})
    item_history = (
        PrescriptionItem.history.filter(record_id=record.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )
    return render(
        request,
        "records/record_versions.html",
        {"record": record, "rows": rows, "item_history": item_history},
    )


_VISIT_TYPES = dict(VisitRecord.VisitType.choices)


def _timeline(patient: Patient):
    # A queryset, not a list: the paginator fetches one page at a time. Plain values: a page of
    # model instances (record, appointment, doctor, user, department, prescriptions) and their
    # template lookups were most of the page's time (docs/performance.md, finding 8).
    return (
        VisitRecord.objects.filter(patient=patient)
        .order_by("-appointment__start", "-pk")
        .values_list(
            "pk",
            "visit_type",
            "diagnosis",
            "appointment__start",
            "appointment__doctor__user__first_name",
            "appointment__doctor__user__last_name",
            "appointment__doctor__department__name",
        )
    )


def _timeline_rows(page) -> list[dict]:
    """A page of the timeline as the template shows it: link, labels and prescription text."""
    records = list(page)
    prescriptions: dict[int, list[str]] = {}
    if records:
        for record_id, medicine, dose, frequency in (
            PrescriptionItem.objects.filter(record_id__in=[r[0] for r in records])
            .order_by("pk")
            .values_list("record_id", "medicine", "dose", "frequency")
        ):
            prescriptions.setdefault(record_id, []).append(f"{medicine} {dose} ({frequency})")
    rows = []
    for pk, visit_type, diagnosis, start, first, last, department in records:
        day = timezone.localtime(start)
        rows.append(
            {
                "url": pk_url("records:record-detail", pk),
                "when": f"{day:%a} {day.day} {day:%b} {day.year}",
                "doctor": f"Dr {f'{first} {last}'.strip()}".strip(),
                "department": department,
                "visit_type": _VISIT_TYPES.get(visit_type, visit_type),
                "diagnosis": Truncator(diagnosis).chars(200),
                "prescription": "; ".join(prescriptions.get(pk, ())),
            }
        )
    return rows


@require_safe
def patient_history(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = access.get_patient_history_for_user(request, patient_pk)
    page = Paginator(_timeline(patient), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "records/history.html",
        {"patient": patient, "page": page, "rows": _timeline_rows(page)},
    )


@require_safe
def my_history(request: HttpRequest) -> HttpResponse:
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None or not request.user.has_perm("records.view_own_history"):
        raise PermissionDenied
    return patient_history(request, patient.pk)


@require_safe
def my_patients(request: HttpRequest) -> HttpResponse:
    """A doctor's patients: everyone they have or had an appointment with."""
    if not request.user.has_perm("records.write_own_visit_record"):
        raise PermissionDenied
    now = timezone.now()
    mine = Q(appointments__doctor__user=request.user)
    patients = (
        Patient.objects.filter(mine)
        .with_related()
        .annotate(
            visit_count=Count("appointments", filter=mine & Q(appointments__status="completed")),
            last_visit=Max(
                "appointments__start", filter=mine & Q(appointments__status="completed")
            ),
            next_appointment=Min(
                "appointments__start",
                filter=mine
                & Q(
                    appointments__status__in=Appointment.OPEN_STATUSES,
                    appointments__start__gte=now,
                ),
            ),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    q = request.GET.get("q", "").strip()[:80]
    if q:
        patients = patients.search(q)
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    audit(
        request,
        patient=None,
        object_type="patient_list",
        object_id=f"page {page.number}",
        action="view",
    )
    return render(request, "records/my_patients.html", {"page": page, "q": q})


@require_safe
def record_list(request: HttpRequest) -> HttpResponse:
    """Oversight list of every record, for hospital admins."""
    if not access.is_records_staff(request.user):
        raise PermissionDenied
    records = VisitRecord.objects.with_related().order_by("-appointment__start")
    q = request.GET.get("q", "").strip()[:80]
    if q:
        records = records.filter(
            Q(patient__user__last_name__icontains=q)
            | Q(patient__user__email__icontains=q)
            | Q(diagnosis__icontains=q)
        )
    doctor_id = int_param(request.GET.get("doctor"))
    if doctor_id:
        records = records.filter(appointment__doctor_id=doctor_id)
    page = Paginator(records, 25).get_page(request.GET.get("page"))
    audit(
        request,
        patient=None,
        object_type="record_list",
        object_id=f"page {page.number}",
        action="view",
    )
    return render(request, "records/record_list.html", {"page": page, "q": q})


@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """Staff search the whole log; a patient sees who accessed their own records."""
    entries = AccessLogEntry.objects.select_related("actor", "patient__user")
    if access.is_records_staff(request.user) and request.user.has_perm(
        "records.view_all_access_log"
    ):
        q = request.GET.get("q", "").strip()[:80]
        if q:
            entries = entries.filter(
                Q(actor__email__icontains=q)
                | Q(patient__user__email__icontains=q)
                | Q(patient__user__last_name__icontains=q)
            )
        if request.GET.get("outcome") in ("allowed", "denied"):
            entries = entries.filter(outcome=request.GET["outcome"])
        scope = "all"
    else:
        patient = Patient.objects.filter(user=request.user).first()
        if patient is None or not request.user.has_perm("records.view_own_history"):
            raise PermissionDenied
        entries = entries.filter(patient=patient)
        scope = "mine"
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "records/access_log.html",
        {
            "page": page,
            "scope": scope,
            "q": request.GET.get("q", "")[:80],
            "outcome": request.GET.get("outcome", ""),
        },
    )


# --- Exports ------------------------------------------------------------------------------


@require_safe
def history_csv(request: HttpRequest, patient_pk: int) -> StreamingHttpResponse:
    patient = access.get_patient_for_export(request, patient_pk, kind="csv")
    stamp = timezone.localdate().isoformat()
    return streamed_csv(history_csv_rows(patient), f"history-{patient.pk}-{stamp}.csv")


@require_safe
def my_history_csv(request: HttpRequest) -> StreamingHttpResponse:
    patient = get_object_or_404(Patient, user=request.user)
    return history_csv(request, patient.pk)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def history_pdf(request: HttpRequest, patient_pk: int) -> HttpResponse:
    from records.pdf import history_pdf as render_history

    patient = access.get_patient_for_export(request, patient_pk, kind="pdf")
    stamp = timezone.localdate().isoformat()
    return _pdf_response(render_history(patient), f"history-{patient.pk}-{stamp}.pdf")


@require_safe
def my_history_pdf(request: HttpRequest) -> HttpResponse:
    patient = get_object_or_404(Patient, user=request.user)
    return history_pdf(request, patient.pk)


@require_safe
def prescription_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from records.pdf import prescription_pdf as render_prescription

    record = access.get_record_for_user(request, pk)
    audit(
        request,
        patient=record.patient,
        object_type="export_prescription_pdf",
        object_id=record.pk,
        action="export",
    )
    day = timezone.localdate(record.appointment.start).isoformat()
    return _pdf_response(render_prescription(record), f"prescription-{record.pk}-{day}.pdf")


# --- Background exports -------------------------------------------------------------------


@require_POST
def export_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = access.get_patient_for_export(request, patient_pk, kind="background_csv")
    export = export_start_service(patient=patient, by=request.user)
    messages.success(
        request,
        "Your export is being prepared. You can leave this page and come back: it keeps running.",
    )
    return redirect("records:export-detail", pk=export.pk)


@require_safe
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = access.get_export_for_user(request, pk)
    template = (
        "records/_export_status.html"
        if request.headers.get("HX-Request")
        else ("records/export_detail.html")
    )
    return render(request, template, {"export": export})


@require_safe
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = access.get_export_for_user(request, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    audit(
        request,
        patient=export.patient,
        object_type="export_background_csv",
        object_id=export.pk,
        action="download",
    )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def email_records(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Send the history PDF and CSV to the patient's verified address, in the background."""
    from allauth.account.models import EmailAddress

    patient = access.get_patient_for_export(request, patient_pk, kind="email")
    address = EmailAddress.objects.filter(user=patient.user, verified=True).first()
    if address is None:
        messages.error(
            request,
            "There is no verified e-mail address for this patient: verify "
            "it first (Account → E-mail addresses).",
        )
    else:
        records_email_start(patient=patient)
        messages.success(request, f"Your records are being sent to {address.email}.")
    return redirect("records:patient-history", patient_pk=patient.pk)
