"""A patient's record as FHIR R4 resources, built (and so validated) with fhir.resources' R4B
models: the package's default models are R5, which another R4 system would not read.

Every resource gets a stable id (a UUID derived from this installation's address and the row),
so two exports of the same record name the same things, and references inside the Bundle are
`urn:uuid:` full URLs. The streaming itself is in records/exports.py."""

from __future__ import annotations

import re
import uuid
from collections import namedtuple
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.resource import Resource

from clinic.models import Doctor, Patient
from records.fhir_dosage import UCUM, dosage, medication_status
from records.models import VISIT_FIELDS, VisitRecord

CONTENT_TYPE = "application/fhir+json"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
ENCOUNTER_CLASSES = {  # HMS visit type -> v3 ActCode
    "emergency": ("EMER", "emergency"),
    "teleconsultation": ("VR", "virtual"),
}
AMBULATORY = ("AMB", "ambulatory")
GENDERS = {"female": "female", "male": "male", "other": "other", "undisclosed": "unknown"}
NO_KNOWN_ALLERGY = {
    "none": ("716186003", "No known allergy"),
    "nil": ("716186003", "No known allergy"),
    "nka": ("716186003", "No known allergy"),
    "no known allergies": ("716186003", "No known allergy"),
    "no known allergy": ("716186003", "No known allergy"),
    "nkda": ("409137002", "No known drug allergy"),
    "no known drug allergies": ("409137002", "No known drug allergy"),
}
# (VisitRecord field, LOINC codes and displays, UCUM code, unit shown)
VITALS = [
    ("pulse", [("8867-4", "Heart rate")], "/min", "beats/minute"),
    ("temperature_c", [("8310-5", "Body temperature")], "Cel", "°C"),
    ("spo2", [("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
              ("2708-6", "Oxygen saturation in Arterial blood")], "%", "%"),
    ("weight_kg", [("29463-7", "Body weight")], "kg", "kg"),
]  # fmt: skip
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_PARTS = [
    ("bp_systolic", "8480-6", "Systolic blood pressure"),
    ("bp_diastolic", "8462-4", "Diastolic blood pressure"),
]


# Each Visit attribute beside the lookup that fetches it (plain values, as the CSV export reads
# them: no model instances, whose caches point at each other and outlive a chunk).
VISIT_COLUMNS = {
    "pk": "pk",
    "start": "appointment__start",
    "end": "appointment__end",
    "doctor_id": "appointment__doctor_id",
    "created": "created",
    **{field: field for field in VISIT_FIELDS},
}
Visit = namedtuple("Visit", [*VISIT_COLUMNS, "prescriptions"])
LINE_COLUMNS = ("pk", "record_id", "medicine", "dose", "frequency", "duration", "instructions")
Line = namedtuple("Line", LINE_COLUMNS)
VISIT_TYPES = dict(VisitRecord.VisitType.choices)


def resource_id(kind: str, pk: object) -> str:
    """A UUID that is the same for the same row in every export from this installation."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.HMS_BASE_URL}/fhir/{kind}/{pk}"))


def ref(kind: str, pk: object) -> dict:
    return {"reference": f"urn:uuid:{resource_id(kind, pk)}"}


def _clean(values: dict) -> dict:
    """Drop empty values: FHIR forbids empty elements ("ele-1")."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}


def _concept(system: str, code: str, display: str) -> dict:
    return {"coding": [_coding(system, code, display)], "text": display}


def _when(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _name(user) -> dict:
    return _clean(
        {
            "use": "official",
            "family": user.last_name,
            "given": [user.first_name] if user.first_name else [],
            "text": user.get_full_name() or user.email,
        }
    )


def _telecom(phone: object, email: str = "") -> list[dict]:
    # No "use" (home, work, mobile): HMS does not know which kind of number it holds.
    pairs = (("phone", phone), ("email", email))
    return [{"system": system, "value": str(value)} for system, value in pairs if value]


def entry(resource: Resource) -> str:
    """One Bundle entry: the resource serialised by fhir.resources (validated when it was
    built), wrapped here rather than in a BundleEntry, which would validate it a second time."""
    return f'{{"fullUrl":"urn:uuid:{resource.id}","resource":{resource.model_dump_json()}}}'


def bundle_envelope() -> tuple[str, str]:
    """The Bundle's JSON before and after its entries (which are streamed in between)."""
    bundle = Bundle(
        id=str(uuid.uuid4()),
        type="collection",
        timestamp=timezone.now(),
        identifier={"system": f"{settings.HMS_BASE_URL}/fhir/exports", "value": str(uuid.uuid4())},
    )
    head = bundle.model_dump_json()
    return head[:-1] + ',"entry":[', "]}"


def patient_resource(patient: Patient) -> FhirPatient:
    user = patient.user
    contact = _clean(
        {
            "relationship": [_concept(f"{TERMINOLOGY}/v2-0131", "C", "Emergency Contact")],
            "name": {"text": patient.emergency_contact_name}
            if patient.emergency_contact_name
            else {},
            "telecom": _telecom(patient.emergency_contact_phone),
        }
    )
    return FhirPatient(
        **_clean(
            {
                "id": resource_id("Patient", patient.pk),
                "identifier": [
                    {"system": f"{settings.HMS_BASE_URL}/patients", "value": str(patient.pk)}
                ],
                "active": patient.is_active,
                "name": [_name(user)],
                "telecom": _telecom(patient.phone, user.email),
                "gender": GENDERS.get(patient.gender),
                "birthDate": patient.date_of_birth,
                "address": [{"text": patient.address}] if patient.address else [],
                "contact": [contact] if len(contact) > 1 else [],
            }
        )
    )


def practitioner_resources(doctor: Doctor) -> list[Resource]:
    """The doctor, and their role here: a doctor in their department (the specialty)."""
    active = doctor.status == Doctor.Status.ACTIVE and doctor.removed_at is None
    practitioner = Practitioner(
        **_clean(
            {
                "id": resource_id("Practitioner", doctor.pk),
                "identifier": [
                    {"system": f"{settings.HMS_BASE_URL}/doctors", "value": str(doctor.pk)}
                ],
                "active": active,
                "name": [_name(doctor.user)],
                "telecom": _telecom(doctor.phone),
                "qualification": [{"code": {"text": doctor.qualifications}}]
                if doctor.qualifications
                else [],
            }
        )
    )
    specialties = [{"text": doctor.department.name}]
    if doctor.specialization:
        specialties.append({"text": doctor.specialization})
    role = PractitionerRole(
        id=resource_id("PractitionerRole", doctor.pk),
        active=active,
        practitioner=ref("Practitioner", doctor.pk),
        code=[_concept(f"{TERMINOLOGY}/practitioner-role", "doctor", "Doctor")],
        specialty=specialties,
    )
    return [practitioner, role]


def _split(text: str) -> list[str]:
    """The items of a free-text list (comma, semicolon or line apart), each once."""
    unique: dict[str, str] = {}
    for part in re.split(r"[,;\n]+", text):
        if part.strip():
            unique.setdefault(part.strip().lower(), part.strip())
    return list(unique.values())


def allergy_resources(patient: Patient) -> list[AllergyIntolerance]:
    """One AllergyIntolerance per allergy the profile lists (comma, semicolon or line apart);
    "none"/"NKDA" become the SNOMED "no known (drug) allergy" codes."""
    status = _concept(f"{TERMINOLOGY}/allergyintolerance-clinical", "active", "Active")
    resources = []
    for allergy in _split(patient.allergies):
        known = NO_KNOWN_ALLERGY.get(allergy.lower().rstrip("."))
        code = _concept(SNOMED, *known) | {"text": allergy} if known else {"text": allergy}
        resources.append(
            AllergyIntolerance(
                id=resource_id("AllergyIntolerance", f"{patient.pk}-{allergy.lower()}"),
                clinicalStatus=status,
                code=code,
                patient=ref("Patient", patient.pk),
            )
        )
    return resources


def profile_resources(patient: Patient) -> list[Resource]:
    """What the profile holds beyond demographics: allergies, chronic conditions, height."""
    resources: list[Resource] = allergy_resources(patient)
    category = _concept(
        f"{TERMINOLOGY}/condition-category", "problem-list-item", "Problem List Item"
    )
    status = _concept(f"{TERMINOLOGY}/condition-clinical", "active", "Active")
    for condition in _split(patient.chronic_conditions):
        resources.append(
            Condition(
                id=resource_id("Condition", f"profile-{patient.pk}-{condition.lower()}"),
                clinicalStatus=status,
                category=[category],
                code={"text": condition},
                subject=ref("Patient", patient.pk),
            )
        )
    if patient.height_cm:
        resources.append(
            _vital(
                ("height", patient.pk),
                [(_coding(LOINC, "8302-2", "Body height"))],
                patient,
                {"value": patient.height_cm, "unit": "cm", "code": "cm"},
                issued=patient.updated,
            )
        )
    return resources


def _vital(key: tuple, codes: list[dict], patient: Patient, quantity: dict | None, **more):
    """One vital-signs Observation (a value, or components when `quantity` is None)."""
    value = {"valueQuantity": quantity | {"system": UCUM}} if quantity else {}
    return Observation(
        id=resource_id("Observation", "-".join(map(str, key))),
        status="final",
        category=[_concept(f"{TERMINOLOGY}/observation-category", "vital-signs", "Vital Signs")],
        code={"coding": codes, "text": codes[0]["display"]},
        subject=ref("Patient", patient.pk),
        **value,
        **more,
    )


def vital_observations(visit: Visit, patient: Patient) -> list[Observation]:
    """One Observation per vital sign the doctor recorded, LOINC-coded with UCUM units; the
    blood pressure is one panel with its systolic and diastolic components."""
    at = {"encounter": ref("Encounter", visit.pk), "effectiveDateTime": _when(visit.start)}
    found = []
    for field, codes, unit_code, unit in VITALS:
        if (value := getattr(visit, field)) is not None:
            codings = [_coding(LOINC, code, display) for code, display in codes]
            quantity = {"value": value, "unit": unit, "code": unit_code}
            found.append(_vital((field, visit.pk), codings, patient, quantity, **at))
    components = [
        {
            "code": _concept(LOINC, code, display),
            "valueQuantity": {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
        }
        for field, code, display in BP_PARTS
        if (value := getattr(visit, field)) is not None
    ]
    if components:
        panel = [_coding(LOINC, *BP_PANEL)]
        found.append(_vital(("bp", visit.pk), panel, patient, None, component=components, **at))
    return found


def encounter_resource(visit: Visit, patient: Patient) -> Encounter:
    code, display = ENCOUNTER_CLASSES.get(visit.visit_type, AMBULATORY)
    return Encounter(
        **_clean(
            {
                "id": resource_id("Encounter", visit.pk),
                "status": "finished",
                "class_fhir": _coding(f"{TERMINOLOGY}/v3-ActCode", code, display),
                "type": [{"text": VISIT_TYPES.get(visit.visit_type, visit.visit_type)}],
                "subject": ref("Patient", patient.pk),
                "participant": [{"individual": ref("Practitioner", visit.doctor_id)}],
                "period": {"start": _when(visit.start), "end": _when(visit.end)},
                "reasonCode": [{"text": visit.complaint}] if visit.complaint else [],
                "diagnosis": [{"condition": ref("Condition", visit.pk)}] if visit.diagnosis else [],
            }
        )
    )


def diagnosis_resource(visit: Visit, patient: Patient) -> Condition:
    """The visit's diagnosis, as the doctor wrote it (HMS keeps no diagnosis codes)."""
    category = _concept(
        f"{TERMINOLOGY}/condition-category", "encounter-diagnosis", "Encounter Diagnosis"
    )
    return Condition(
        id=resource_id("Condition", visit.pk),
        category=[category],
        code={"text": visit.diagnosis},
        subject=ref("Patient", patient.pk),
        encounter=ref("Encounter", visit.pk),
        recordedDate=_when(visit.created),
        recorder=ref("Practitioner", visit.doctor_id),
    )


def medication_request(item: Line, visit: Visit, patient: Patient):
    prescribed = _when(visit.start)
    return MedicationRequest(
        id=resource_id("MedicationRequest", item.pk),
        status=medication_status(prescribed.date(), item.duration, timezone.localdate()),
        intent="order",
        medicationCodeableConcept={"text": item.medicine},
        subject=ref("Patient", patient.pk),
        encounter=ref("Encounter", visit.pk),
        authoredOn=prescribed,
        requester=ref("Practitioner", visit.doctor_id),
        dosageInstruction=[dosage(item.dose, item.frequency, item.duration, item.instructions)],
    )


def visit_resources(visit: Visit, patient: Patient) -> list[Resource]:
    """Everything one visit adds: its Encounter, diagnosis, vital signs and prescriptions
    (`visit.prescriptions`: its Lines)."""
    resources: list[Resource] = [encounter_resource(visit, patient)]
    if visit.diagnosis:
        resources.append(diagnosis_resource(visit, patient))
    resources += vital_observations(visit, patient)
    resources += [medication_request(i, visit, patient) for i in visit.prescriptions]
    return resources
