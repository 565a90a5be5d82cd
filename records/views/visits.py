"""Writing a visit record (completing the visit), reading it, editing it, its versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hms.lib.forms import show_as_typed
from hms.lib.formsets import with_blank_form
from records import access, selectors, services
from records.audit import audit
from records.forms import PrescriptionFormSet, VisitRecordForm

ADD_LINE = "rx-add"  # the "Add a line" submit button (the page's script adds lines in place)


def _bind(request, appointment, record=None) -> tuple[VisitRecordForm, PrescriptionFormSet, bool]:
    """The record form and prescription formset, bound to a POST. "Add a line" posts the form
    without saving it: it comes back as typed (not validated) with one more blank line."""
    data = request.POST if request.method == "POST" else None
    adding = data is not None and ADD_LINE in data
    if adding:
        data = with_blank_form(data, "rx", limit=PrescriptionFormSet.absolute_max)
    visit_date = timezone.localdate(appointment.start)
    form = VisitRecordForm(data, instance=record, visit_date=visit_date)
    formset = PrescriptionFormSet(data, instance=record, prefix="rx")
    if adding:
        show_as_typed(form, formset)
    return form, formset, adding


def _form_page(request, form, formset, appointment, record=None) -> HttpResponse:
    context = {
        "form": form,
        "formset": formset,
        "appointment": appointment,
        "patient": appointment.patient,
        "record": record,
        "add_line": ADD_LINE,
    }
    return render(request, "records/record_form.html", context)


def complete_visit(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    """The doctor writes the visit record; saving it completes the appointment."""
    appointment = access.get_appointment_to_complete(request, appointment_pk)
    if hasattr(appointment, "visit_record"):
        return redirect("records:record-detail", pk=appointment.visit_record.pk)
    form, formset, adding = _bind(request, appointment)
    if request.method == "GET":  # the form shows the patient's allergies and the reason
        audit(request, patient=appointment.patient, object_type="appointment",
              object_id=appointment.pk, action="view")  # fmt: skip
    if request.method == "POST" and not adding and form.is_valid() and formset.is_valid():
        try:
            record = services.visit_complete(
                appointment=appointment, by=request.user, data=form.record_data(),
                items=formset.items(),
            )  # fmt: skip
        except services.RecordError as exc:
            messages.error(request, str(exc))
        else:
            audit(request, patient=record.patient, object_type="visit_record",
                  object_id=record.pk, action="create")  # fmt: skip
            messages.success(
                request, "Visit completed. The patient has been told the summary is ready."
            )
            return redirect("records:record-detail", pk=record.pk)
    return _form_page(request, form, formset, appointment)


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
            "can_see_versions": access.may_see_versions(request.user, record),
        },
    )


def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request, pk, write=True)
    form, formset, adding = _bind(request, record.appointment, record)
    if request.method == "POST" and not adding and form.is_valid() and formset.is_valid():
        try:
            changed = services.visit_update(
                record=record, by=request.user, data=form.record_data(), items=formset.items(),
                deleted_items=formset.deleted_pks(), reason=form.reason(),
            )  # fmt: skip
        except services.RecordError as exc:
            messages.error(request, str(exc))
        else:
            if changed:
                messages.success(request, "Record saved. The previous version is kept.")
            else:
                messages.info(request, "Nothing was changed, so no new version was saved.")
            return redirect("records:record-detail", pk=record.pk)
    return _form_page(request, form, formset, record.appointment, record)


@require_safe
def record_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of a record (doctors and staff), newest first, with what changed."""
    record = access.get_record_versions_for_user(request, pk)
    return render(
        request,
        "records/record_versions.html",
        {
            "record": record,
            "rows": selectors.record_versions(record),
        },
    )
