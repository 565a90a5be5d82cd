"""PDFs of a patient's history and of one visit's prescription (WeasyPrint, templates/pdf/)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.models import Patient
from records.models import VisitRecord


def _pdf(template: str, context: dict) -> bytes:
    # Imported here: WeasyPrint loads Pango at import time, which only PDF work needs.
    from weasyprint import HTML

    context = {
        "hospital_name": settings.HOSPITAL_NAME,
        "hospital_address": settings.HOSPITAL_ADDRESS,
        "hospital_phone": settings.HOSPITAL_PHONE,
        "generated": timezone.localtime(),
        **context,
    }
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def history_pdf(patient: Patient) -> bytes:
    records = (
        VisitRecord.objects.with_related()
        .filter(patient=patient)
        .prefetch_related("prescriptions")
        .order_by("-appointment__start")
    )
    return _pdf("pdf/history.html", {"patient": patient, "records": records})


def prescription_pdf(record: VisitRecord) -> bytes:
    return _pdf(
        "pdf/prescription.html",
        {
            "record": record,
            "patient": record.patient,
            "items": list(record.prescriptions.all()),
        },
    )
