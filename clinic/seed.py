"""Demo departments, doctors and patients for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import DOCTOR, PATIENT
from accounts.seed import ensure_demo_user
from clinic.models import Department, Doctor, Patient
from clinic.selectors import DIRECTORY
from hms.lib import cached

DEPARTMENTS = {
    "Cardiology": "Heart and blood vessels: chest pain, hypertension, arrhythmia, heart failure.",
    "Dermatology": "Skin, hair and nails: eczema, psoriasis, acne, skin checks.",
    "ENT": "Ear, nose and throat: hearing, sinus, tonsils, voice.",
    "General Medicine": "First point of care for adults; chronic disease management.",
    "Gynaecology": "Women's health, pregnancy care and family planning.",
    "Neurology": "Brain, spine and nerves: headache, epilepsy, stroke follow-up.",
    "Orthopaedics": "Bones, joints and muscles: fractures, sports injuries, arthritis.",
    "Paediatrics": "Children from birth to 16: growth, vaccinations, childhood illness.",
}

# (email, first, last, department, specialization, qualifications, years, fee)
DOCTORS = [
    (
        "doctor@example.com",
        "Gregory",
        "Hale",
        "Cardiology",
        "Interventional cardiology",
        "MBBS, MD (Cardiology)",
        14,
        "80.00",
    ),
    (
        "a.okafor@example.com",
        "Amara",
        "Okafor",
        "Cardiology",
        "Heart failure",
        "MBBS, MRCP",
        9,
        "75.00",
    ),
    (
        "l.chen@example.com",
        "Lin",
        "Chen",
        "Dermatology",
        "Paediatric dermatology",
        "MD, FAAD",
        11,
        "60.00",
    ),
    ("r.patel@example.com", "Rohan", "Patel", "ENT", "Rhinology", "MBBS, MS (ENT)", 7, "55.00"),
    (
        "s.muller@example.com",
        "Sophie",
        "Müller",
        "General Medicine",
        "Diabetes care",
        "MBBS, MRCGP",
        18,
        "40.00",
    ),
    ("j.adeyemi@example.com", "James", "Adeyemi", "General Medicine", "", "MBBS", 4, "40.00"),
    (
        "m.rossi@example.com",
        "Maria",
        "Rossi",
        "Gynaecology",
        "Maternal-fetal medicine",
        "MD, MRCOG",
        16,
        "70.00",
    ),
    (
        "k.nakamura@example.com",
        "Kenji",
        "Nakamura",
        "Neurology",
        "Epilepsy",
        "MD, PhD",
        12,
        "85.00",
    ),
    (
        "e.walsh@example.com",
        "Eileen",
        "Walsh",
        "Orthopaedics",
        "Sports injuries",
        "MBBS, FRCS (Orth)",
        10,
        "80.00",
    ),
    (
        "d.silva@example.com",
        "Diego",
        "Silva",
        "Paediatrics",
        "Neonatology",
        "MD (Paediatrics)",
        8,
        "50.00",
    ),
]
PENDING_DOCTOR = (
    "new.doctor@example.com",
    "Nadia",
    "Haddad",
    "Neurology",
    "Headache",
    "MBBS",
    2,
    None,
)

FIRST = [
    "Olivia",
    "Noah",
    "Aisha",
    "Liam",
    "Mei",
    "Omar",
    "Zara",
    "Lucas",
    "Fatima",
    "Ethan",
    "Priya",
    "Mateo",
    "Chloe",
    "Yusuf",
    "Hana",
    "Leo",
    "Isla",
    "Arjun",
    "Grace",
    "Samuel",
]
LAST = [
    "Smith",
    "Khan",
    "Garcia",
    "Nguyen",
    "Brown",
    "Ali",
    "Jones",
    "Kowalski",
    "Singh",
    "Taylor",
    "Ivanova",
    "Murphy",
    "Hughes",
    "Ahmed",
    "Evans",
    "Tanaka",
    "Wilson",
    "Costa",
]
ALLERGIES = ["", "", "", "Penicillin", "Peanuts", "Latex", "Sulfonamides", "Shellfish"]
CONDITIONS = ["", "", "", "Type 2 diabetes", "Hypertension", "Asthma", "Hypothyroidism"]


def _profile_fields(rng: random.Random, today: date) -> dict:
    gender = rng.choice(["female", "male", "female", "male", "other"])
    height = Decimal(rng.randint(150, 195))
    return {
        "gender": gender,
        "date_of_birth": today - timedelta(days=rng.randint(2 * 365, 88 * 365)),
        "phone": f"+447911{rng.randint(0, 999999):06d}",
        "address": f"{rng.randint(1, 200)} {rng.choice(LAST)} Road, Springfield",
        "emergency_contact_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "emergency_contact_phone": f"+447911{rng.randint(0, 999999):06d}",
        "blood_group": rng.choice([c for c, _ in Patient.BloodGroup.choices]),
        "height_cm": height,
        "weight_kg": (height - 100 + Decimal(rng.randint(-15, 25))).quantize(Decimal("0.1")),
        "allergies": rng.choice(ALLERGIES),
        "chronic_conditions": rng.choice(CONDITIONS),
        "has_disability": rng.random() < 0.05,
    }


@transaction.atomic
def seed_departments() -> dict[str, Department]:
    departments = {}
    for name, description in DEPARTMENTS.items():
        departments[name], _ = Department.objects.get_or_create(
            name=name, defaults={"description": description}
        )
    return departments


def _ensure_doctor(row, departments, status) -> Doctor:
    email, first, last, dept, spec, quals, years, fee = row
    user = ensure_demo_user(email=email, first_name=first, last_name=last, role=DOCTOR)
    doctor, _ = Doctor.objects.get_or_create(
        user=user,
        defaults={
            "department": departments[dept],
            "specialization": spec,
            "qualifications": quals,
            "experience_years": years,
            "consultation_fee": Decimal(fee) if fee else None,
            "phone": "+442079460123",
            "about": f"Dr {last} has {years} years of experience in {dept.lower()}"
            f"{' with a focus on ' + spec.lower() if spec else ''}.",
            "status": status,
        },
    )
    return doctor


@transaction.atomic
def seed_small() -> dict[str, int]:
    rng = random.Random(42)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    departments = seed_departments()
    for row in DOCTORS:
        _ensure_doctor(row, departments, Doctor.Status.ACTIVE)
    _ensure_doctor(PENDING_DOCTOR, departments, Doctor.Status.PENDING)
    for i in range(25):
        email = "patient@example.com" if i == 0 else f"patient{i:02d}@example.com"
        first, last = ("Priya", "Shah") if i == 0 else (rng.choice(FIRST), rng.choice(LAST))
        user = ensure_demo_user(email=email, first_name=first, last_name=last, role=PATIENT)
        fields = _profile_fields(rng, today)
        Patient.objects.get_or_create(user=user, defaults=fields)
    cached.invalidate(DIRECTORY)
    return {"departments": len(departments), "doctors": len(DOCTORS) + 1, "patients": 25}


def seed_bulk_profiles(*, batch_size: int = 2000) -> dict[str, int]:
    """Profiles for the bulk users of accounts.seed (`--size large`), in bulk inserts."""
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    departments = list(seed_departments().values())
    doctor_users = list(
        User.objects.filter(email__startswith="bulk-doctor-", doctor_profile__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Doctor.objects.bulk_create(
        (
            Doctor(
                user_id=pk,
                department=departments[i % len(departments)],
                qualifications="MBBS",
                experience_years=rng.randint(1, 35),
                slot_minutes=rng.choice([15, 20, 30]),
                status=Doctor.Status.ACTIVE,
            )
            for i, pk in enumerate(doctor_users)
        ),
        batch_size=batch_size,
    )
    patient_users = list(
        User.objects.filter(email__startswith="bulk-patient-", patient_profile__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # With a first version each, as the profile page's list of changes expects.
    bulk_create_with_history(
        [Patient(user_id=pk, **_profile_fields(rng, today)) for pk in patient_users],
        Patient,
        batch_size=batch_size,
    )
    cached.invalidate(DIRECTORY, now=True)
    return {"doctors": len(doctor_users), "patients": len(patient_users)}
