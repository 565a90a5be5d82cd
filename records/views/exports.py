"""Taking the history home: CSV, PDF and FHIR downloads, the background export, e-mailing it."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from hms.lib.spreadsheets import streamed_csv
from records import access, exports, fhir
from records.audit import audit
from records.models import Export


@require_safe
def history_csv(request: HttpRequest, patient_pk: int) -> StreamingHttpResponse:
    patient = access.get_patient_for_export(request, patient_pk, kind="csv")
    stamp = timezone.localdate().isoformat()
    return streamed_csv(exports.history_csv_rows(patient), f"history-{patient.pk}-{stamp}.csv")


@require_safe
def my_history_csv(request: HttpRequest) -> StreamingHttpResponse:
    return history_csv(request, access.get_own_patient(request, download=True).pk)


@require_safe
def history_fhir(request: HttpRequest, patient_pk: int) -> StreamingHttpResponse:
    """The record as a FHIR R4 Bundle: for the patient, their doctors and hospital staff."""
    patient = access.get_patient_for_export(request, patient_pk, kind="fhir", for_doctors=True)
    response = StreamingHttpResponse(exports.history_fhir_chunks(patient), fhir.CONTENT_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="record-{patient.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def my_history_fhir(request: HttpRequest) -> StreamingHttpResponse:
    return history_fhir(request, access.get_own_patient(request, download=True).pk)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def history_pdf(request: HttpRequest, patient_pk: int) -> HttpResponse:
    from records.pdf import history_pdf as render_history

    patient = access.get_patient_for_export(request, patient_pk, kind="pdf")
    stamp = timezone.localdate().isoformat()
    return _pdf_response(render_history(patient), f"history-{patient.pk}-{stamp}.pdf")


@require_safe
def my_history_pdf(request: HttpRequest) -> HttpResponse:
    return history_pdf(request, access.get_own_patient(request, download=True).pk)


@require_safe
def prescription_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from records.pdf import prescription_pdf as render_prescription

    record = access.get_record_for_user(request, pk)
    audit(request, patient=record.patient, object_type="export_prescription_pdf",
          object_id=record.pk, action="export")  # fmt: skip
    day = timezone.localdate(record.appointment.start).isoformat()
    return _pdf_response(render_prescription(record), f"prescription-{record.pk}-{day}.pdf")


@require_POST
def export_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = access.get_patient_for_export(request, patient_pk, kind="background_csv")
    export = exports.export_start(patient=patient, by=request.user)
    messages.success(
        request,
        "Your export is being prepared. You can leave this page and come back: it keeps running.",
    )
    return redirect("records:export-detail", pk=export.pk)


@require_POST
def fhir_export_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The FHIR record built on a worker, for histories too long to wait for a download."""
    patient = access.get_patient_for_export(
        request, patient_pk, kind="background_fhir", for_doctors=True
    )
    export = exports.export_start(patient=patient, by=request.user, kind="fhir")
    messages.success(
        request,
        "The FHIR record is being prepared. You can leave this page and come back: it keeps "
        "running.",
    )
    return redirect("records:export-detail", pk=export.pk)


@require_safe
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress: the whole page, or (htmx polling) the status part alone."""
    export = access.get_export_for_user(request, pk)
    partial = request.headers.get("HX-Request")
    template = "records/partials/export_status.html" if partial else "records/export_detail.html"
    return render(request, template, {"export": export})


@require_safe
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = access.get_export_for_user(request, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    what = "export_background_fhir" if export.is_fhir else "export_background_csv"
    audit(request, patient=export.patient, object_type=what, object_id=export.pk,
          action="download")  # fmt: skip
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type=fhir.CONTENT_TYPE if export.is_fhir else "text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def email_records(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Send the history PDF and CSV to the patient's verified address, in the background."""
    patient = access.get_patient_for_export(request, patient_pk, kind="email")
    address = exports.verified_address(patient)
    if address is None:
        messages.error(
            request,
            "There is no verified e-mail address for this patient: verify "
            "it first (Account → E-mail addresses).",
        )
    else:
        exports.records_email_start(patient=patient)
        messages.success(request, f"Your records are being sent to {address}.")
    return redirect("records:patient-history", patient_pk=patient.pk)
