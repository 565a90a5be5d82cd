"""Demo visit records with prescriptions for the completed demo appointments (idempotent)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from records.models import PrescriptionItem, VisitRecord
from scheduling.models import Appointment

CASES = [
    (
        "Cough and fever for 3 days",
        "Acute bronchitis",
        "Chest X-ray",
        "",
        [
            ("Amoxicillin", "500 mg", "three times a day", "7 days", "after meals"),
            ("Paracetamol", "1 g", "up to four times a day", "5 days", "if fever"),
        ],
    ),
    (
        "Headache, worse in the morning",
        "Tension-type headache",
        "",
        "",
        [("Ibuprofen", "400 mg", "twice a day", "5 days", "with food")],
    ),
    (
        "Routine diabetes review",
        "Type 2 diabetes, controlled",
        "HbA1c",
        "Lipid panel",
        [("Metformin", "500 mg", "twice a day", "90 days", "with meals")],
    ),
    (
        "Itchy rash on both forearms",
        "Contact dermatitis",
        "",
        "Patch test",
        [("Hydrocortisone cream 1%", "thin layer", "twice a day", "7 days", "")],
    ),
    (
        "Knee pain after running",
        "Patellofemoral pain syndrome",
        "Knee X-ray",
        "",
        [("Naproxen", "250 mg", "twice a day", "10 days", "with food")],
    ),
    (
        "High blood pressure on home readings",
        "Essential hypertension",
        "ECG",
        "Renal panel",
        [("Amlodipine", "5 mg", "once a day", "30 days", "morning")],
    ),
]


@transaction.atomic
def seed_small() -> int:
    rng = random.Random(5)  # noqa: S311 - demo data
    appointments = list(
        Appointment.objects.filter(
            status="completed",
            visit_record__isnull=True,
            patient__user__email__endswith="@example.com",
        ).select_related("doctor__user")
    )
    made = 0
    for appointment in appointments:
        complaint, diagnosis, done, ordered, items = rng.choice(CASES)
        record = VisitRecord.objects.create(
            appointment=appointment,
            patient_id=appointment.patient_id,
            author=appointment.doctor.user,
            complaint=complaint,
            diagnosis=diagnosis,
            tests_done=done,
            tests_ordered=ordered,
            bp_systolic=rng.randint(110, 150),
            bp_diastolic=rng.randint(65, 95),
            pulse=rng.randint(60, 95),
            advice="Rest, fluids, come back if worse.",
            follow_up_on=(appointment.start + timedelta(days=30)).date()
            if rng.random() < 0.3
            else None,
        )
        PrescriptionItem.objects.bulk_create(
            PrescriptionItem(
                record=record, medicine=m, dose=d, frequency=f, duration=du, instructions=i
            )
            for m, d, f, du, i in items
        )
        made += 1
    return made
