import io
import json
import tempfile
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from clinic.tests.factories import DepartmentFactory, DoctorFactory
from records.fhir_dosage import dosage, medication_status
from records.models import AccessLogEntry, Export, PrescriptionItem, VisitRecord
from records.tests.factories import PrescriptionItemFactory, VisitRecordFactory
from records.tests.test_history_and_exports import make_visits

pytestmark = pytest.mark.django_db
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
QUERIES = 6  # and the session's, when sessions live in the database (no Redis)


def download(client, url) -> tuple[Bundle, dict]:
    """The streamed response parsed back: validated by fhir.resources R4B, and as plain JSON."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Cache-Control"] == "no-store, private"
    body = b"".join(response.streaming_content)
    return Bundle.model_validate_json(body), json.loads(body)


def resources(data: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def full_visit(doctor, patient):
    """A completed visit with every vital sign and two prescription lines."""
    profile = patient.patient_profile
    profile.allergies = "Penicillin; peanuts\npenicillin"  # the same allergy twice
    profile.chronic_conditions = "Hypertension"
    profile.height_cm = Decimal("172.0")
    profile.save()
    record = VisitRecordFactory(
        appointment__doctor=doctor.doctor_profile,
        appointment__patient=profile,
        bp_systolic=142, bp_diastolic=91, pulse=88, temperature_c=Decimal("36.8"), spo2=97,
        weight_kg=Decimal("81.5"), diagnosis="Stable angina", complaint="Chest tightness",
    )  # fmt: skip
    PrescriptionItemFactory(record=record, medicine="Aspirin", dose="75 mg", frequency="once a day",
                            duration="90 days", instructions="after food")  # fmt: skip
    PrescriptionItemFactory(record=record, medicine="GTN spray", dose="2 puffs",
                            frequency="as needed", duration="")  # fmt: skip
    return record


def test_patient_downloads_a_valid_r4_collection_bundle(client, patient, full_visit):
    client.force_login(patient)
    bundle, data = download(client, reverse("records:my-history-fhir"))
    assert bundle.type == "collection" and bundle.timestamp
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds[:3] == ["Patient", "Practitioner", "PractitionerRole"]
    assert {"Encounter", "Condition", "Observation", "MedicationRequest"} <= set(kinds)
    assert "AllergyIntolerance" in kinds
    (fhir_patient,) = resources(data, "Patient")
    assert fhir_patient["birthDate"] == "1985-06-15" and fhir_patient["gender"] == "female"
    # Every reference points at an entry of the same Bundle.
    full_urls = {e["fullUrl"] for e in data["entry"]}
    assert len(full_urls) == len(data["entry"])  # bdl-7: each resource once
    references = set(_references(data["entry"]))
    assert references and references <= full_urls


def _references(value):
    if isinstance(value, dict):
        if set(value) == {"reference"}:
            yield value["reference"]
        for v in value.values():
            yield from _references(v)
    elif isinstance(value, list):
        for v in value:
            yield from _references(v)


def test_the_department_is_the_practitioner_role_specialty(client, patient, full_visit):
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    (role,) = resources(data, "PractitionerRole")
    department = full_visit.appointment.doctor.department.name
    assert role["specialty"][0]["text"] == department
    (encounter,) = resources(data, "Encounter")
    assert encounter["status"] == "finished" and encounter["class"]["code"] == "AMB"
    assert encounter["reasonCode"][0]["text"] == "Chest tightness"


def test_vitals_carry_loinc_codes_and_ucum_units(client, patient, full_visit):
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    observations = {o["code"]["coding"][0]["code"]: o for o in resources(data, "Observation")}
    assert set(observations) == {"8867-4", "8310-5", "29463-7", "59408-5", "85354-9", "8302-2"}
    for observation in observations.values():
        assert observation["category"][0]["coding"][0]["code"] == "vital-signs"
        assert all(c["system"] == LOINC for c in observation["code"]["coding"])
    quantities = {code: o.get("valueQuantity") for code, o in observations.items()}
    assert quantities["8867-4"] == {"value": 88, "unit": "beats/minute", "system": UCUM,
                                    "code": "/min"}  # fmt: skip
    assert quantities["8310-5"]["value"] == 36.8 and quantities["8310-5"]["code"] == "Cel"
    assert quantities["29463-7"]["code"] == "kg" and quantities["59408-5"]["code"] == "%"
    assert quantities["8302-2"] == {"value": 172.0, "unit": "cm", "system": UCUM, "code": "cm"}
    assert [c["code"] for c in observations["59408-5"]["code"]["coding"]] == ["59408-5", "2708-6"]
    bp = observations["85354-9"]
    assert "valueQuantity" not in bp
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"],
             c["valueQuantity"]["code"]) for c in bp["component"]] == [
        ("8480-6", 142, "mm[Hg]"), ("8462-4", 91, "mm[Hg]"),
    ]  # fmt: skip


def test_a_visit_without_vitals_has_no_observations(client, patient, doctor):
    VisitRecordFactory(
        appointment__doctor=doctor.doctor_profile, appointment__patient=patient.patient_profile
    )
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    assert resources(data, "Observation") == []
    (condition,) = resources(data, "Condition")
    assert condition["code"] == {"text": "Bronchitis"}
    assert condition["category"][0]["coding"][0]["code"] == "encounter-diagnosis"


def test_prescriptions_become_medication_requests_with_structured_dosage(
    client, patient, full_visit
):
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    aspirin, spray = resources(data, "MedicationRequest")
    assert aspirin["intent"] == "order" and aspirin["medicationCodeableConcept"] == {
        "text": "Aspirin"
    }
    (instruction,) = aspirin["dosageInstruction"]
    assert instruction["text"] == "75 mg, once a day, for 90 days"
    assert instruction["patientInstruction"] == "after food"
    assert instruction["doseAndRate"][0]["doseQuantity"] == {
        "value": 75, "unit": "mg", "system": UCUM, "code": "mg"
    }  # fmt: skip
    repeat = instruction["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (1, 1, "d")
    assert repeat["boundsDuration"] == {"value": 90, "unit": "days", "system": UCUM, "code": "d"}
    (as_needed,) = spray["dosageInstruction"]
    assert as_needed["asNeededBoolean"] is True and "timing" not in as_needed
    assert as_needed["doseAndRate"][0]["doseQuantity"]["code"] == "{puff}"
    assert spray["status"] == "unknown"  # no duration: nobody can say whether it still applies


def test_an_unreadable_dosage_stays_text():
    result = dosage("half a tablet", "with the evening meal", "until review", "")
    assert result == {
        "sequence": 1,
        "text": "half a tablet, with the evening meal, until review",
    }


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("twice a day", (2, 1, "d")),
        ("BD", (2, 1, "d")),
        ("t.d.s.", (3, 1, "d")),
        ("3 times daily", (3, 1, "d")),
        ("every 8 hours", (1, 8, "h")),
        ("q6h", (1, 6, "h")),
        ("once a week", (1, 1, "wk")),
    ],
)
def test_common_frequencies_become_timing(frequency, expected):
    repeat = dosage("1 tablet", frequency, "", "")["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == expected


def test_a_course_is_completed_once_its_duration_has_run_out():
    today = date(2026, 12, 1)
    assert medication_status(date(2026, 11, 1), "7 days", today) == "completed"
    assert medication_status(date(2026, 11, 28), "1 week", today) == "active"
    assert medication_status(date(2026, 11, 28), "ongoing", today) == "unknown"


def test_allergies_come_from_the_profile_each_once(client, patient, full_visit):
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    allergies = resources(data, "AllergyIntolerance")
    assert [a["code"]["text"] for a in allergies] == ["Penicillin", "peanuts"]
    assert all(a["clinicalStatus"]["coding"][0]["code"] == "active" for a in allergies)
    assert {a["patient"]["reference"] for a in allergies} == {data["entry"][0]["fullUrl"]}
    (chronic,) = [c for c in resources(data, "Condition") if "encounter" not in c]
    assert chronic["code"] == {"text": "Hypertension"}


def test_no_known_allergies_is_coded(client, patient):
    patient.patient_profile.allergies = "NKDA"
    patient.patient_profile.save()
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    (allergy,) = resources(data, "AllergyIntolerance")
    assert allergy["code"]["coding"][0]["code"] == "409137002"


def test_an_empty_history_is_a_bundle_with_the_patient_alone(client, patient):
    client.force_login(patient)
    bundle, _ = download(client, reverse("records:my-history-fhir"))
    assert [e.resource.__resource_type__ for e in bundle.entry] == ["Patient"]


def test_two_exports_name_the_same_resources_alike(client, patient, full_visit):
    client.force_login(patient)
    first = download(client, reverse("records:my-history-fhir"))[1]
    second = download(client, reverse("records:my-history-fhir"))[1]
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first["id"] != second["id"]


def test_every_doctor_of_the_history_is_exported_once(client, patient, doctor):
    colleague = DoctorFactory(department=DepartmentFactory(name="Dermatology"))
    for who in (doctor.doctor_profile, colleague, doctor.doctor_profile):
        VisitRecordFactory(appointment__doctor=who, appointment__patient=patient.patient_profile)
    client.force_login(patient)
    _, data = download(client, reverse("records:my-history-fhir"))
    assert len(resources(data, "Practitioner")) == 2
    assert len(resources(data, "Encounter")) == 3
    specialties = {r["specialty"][0]["text"] for r in resources(data, "PractitionerRole")}
    assert "Dermatology" in specialties


def _with_vitals_and_lines(records):
    VisitRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        bp_systolic=120, bp_diastolic=80, pulse=70, temperature_c=Decimal("37.0"), spo2=98,
        weight_kg=Decimal("70.0"),
    )  # fmt: skip
    PrescriptionItem.objects.bulk_create(
        PrescriptionItem(record=r, medicine="Amoxicillin", dose="500 mg", frequency="tds",
                         duration="5 days", instructions="after meals")
        for r in records
    )  # fmt: skip


def test_1000_visits_stream_within_the_csv_exports_memory_bound(client, doctor, patient):
    records = make_visits(doctor, patient.patient_profile, 1_000,
                          diagnosis="Diagnosis {i} " + "details " * 100)  # fmt: skip
    _with_vitals_and_lines(records)
    client.force_login(patient)
    response = client.get(reverse("records:my-history-fhir"))
    with tempfile.TemporaryFile() as body:
        tracemalloc.start()
        for chunk in response.streaming_content:
            body.write(chunk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert body.tell() > 4 * 1024 * 1024  # the Bundle is ~5 MB ...
        assert peak < 4 * 1024 * 1024, peak  # ... but never held in memory at once (as the CSV)
        body.seek(0)
        bundle = Bundle.model_validate_json(body.read())
    assert sum(e.resource.__resource_type__ == "Encounter" for e in bundle.entry) == 1_000


def test_query_count_is_pinned_and_does_not_grow_with_visits(client, doctor, patient):
    client.force_login(patient)
    url = reverse("records:my-history-fhir")
    b"".join(client.get(url).streaming_content)  # the first request caches the signed-in user
    counts = []
    for n in (2, 40):
        _with_vitals_and_lines(make_visits(doctor, patient.patient_profile, n,
                                           start_offset_days=400 + n))  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(url).streaming_content)
        counts.append(len(queries))
    # (session,) own patient, patient, audit row, doctors, visits, prescriptions (one query per
    # chunk of 200 visits); the user, permissions and roles come from the cache (hms.auth)
    expected = QUERIES + (0 if settings.SESSION_ENGINE.endswith("cached_db") else 1)
    assert counts == [expected, expected]


def test_every_download_is_audited(client, patient, doctor, full_visit):
    client.force_login(doctor)
    download(client, reverse("records:history-fhir", args=[patient.patient_profile.pk]))
    entry = AccessLogEntry.objects.get(object_type="export_fhir")
    assert (entry.actor, entry.action, entry.outcome) == (doctor, "export", "allowed")
    assert entry.patient == patient.patient_profile
    assert entry.description == "Exported the record (FHIR, for another health system)"


def test_a_doctor_who_never_saw_the_patient_gets_404_and_a_denied_row(
    client, patient, other_doctor, full_visit
):
    client.force_login(other_doctor)
    response = client.get(reverse("records:history-fhir", args=[patient.patient_profile.pk]))
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get(object_type="export_fhir")
    assert (entry.actor, entry.outcome) == (other_doctor, "denied")


def test_the_front_desk_cannot_export_medical_records(client, patient, front_desk, full_visit):
    client.force_login(front_desk)
    response = client.get(reverse("records:history-fhir", args=[patient.patient_profile.pk]))
    assert response.status_code == 404


def test_the_history_page_offers_the_fhir_download(client, patient, doctor, full_visit):
    client.force_login(patient)
    assert reverse("records:my-history-fhir") in client.get(reverse("records:my-history")).text
    client.force_login(doctor)
    url = reverse("records:history-fhir", args=[patient.patient_profile.pk])
    page = client.get(reverse("records:patient-history", args=[patient.patient_profile.pk]))
    assert url in page.text


def test_the_command_writes_a_valid_file_and_audits_it(tmp_path, patient, full_visit):
    target = tmp_path / "record.json"
    out = io.StringIO()
    call_command("export_fhir", "--patient", patient.patient_profile.pk, "-o", str(target),
                 stdout=out)  # fmt: skip
    bundle = Bundle.model_validate_json(target.read_text(encoding="utf-8"))
    assert sum(e.resource.__resource_type__ == "Encounter" for e in bundle.entry) == 1
    assert "1 visits" in out.getvalue() and str(target) in out.getvalue()
    entry = AccessLogEntry.objects.get(object_type="export_fhir")
    assert (entry.actor, entry.role, entry.path) == (None, "command line", "manage.py export_fhir")


def test_the_command_writes_to_stdout_by_default(patient):
    out = io.StringIO()
    call_command("export_fhir", "--patient", patient.patient_profile.pk, stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    assert Bundle.model_validate_json(out.getvalue()).type == "collection"


def test_the_command_refuses_an_unknown_patient(tmp_path):
    target = tmp_path / "record.json"
    with pytest.raises(CommandError, match="There is no patient with id 999999"):
        call_command("export_fhir", "--patient", "999999", "-o", str(target))
    assert not target.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_doctor_prepares_the_fhir_record_in_the_background_and_downloads_it(
    client, doctor, patient, full_visit, django_capture_on_commit_callbacks
):
    _with_vitals_and_lines(make_visits(doctor, patient.patient_profile, 250))
    client.force_login(doctor)
    url = reverse("records:fhir-export-start", args=[patient.patient_profile.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    export = Export.objects.get()
    assert response.url == reverse("records:export-detail", args=[export.pk])
    page = client.get(response.url).text
    assert "Export (FHIR)" in page and "Download FHIR" in page
    export.refresh_from_db()
    assert (export.kind, export.status, export.owner, export.total) == ("fhir", "done", doctor, 251)
    download = client.get(reverse("records:export-download", args=[export.pk]))
    assert download["Content-Type"] == "application/fhir+json"
    assert download["Content-Disposition"].startswith('attachment; filename="record-')
    bundle = Bundle.model_validate_json(b"".join(download.streaming_content))
    assert sum(e.resource.__resource_type__ == "Encounter" for e in bundle.entry) == 251
    logged = AccessLogEntry.objects.filter(object_type="export_background_fhir")
    assert sorted(logged.values_list("action", flat=True)) == ["download", "export"]
    assert logged.get(action="export").description == "Started a full record export (FHIR)"
