"""Input no person means to send is refused or stripped (never a 500), and pages with patient
data are never stored by a browser or proxy."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from hms.checks import production_needs_a_shared_cache, shared_cache_for_several_processes

pytestmark = pytest.mark.django_db

SEARCHES = {
    "patient": ["clinic:directory"],
    "doctor": ["records:my-patients", "clinic:directory"],
    "hospital_admin": [
        "records:record-list",
        "records:access-log",
        "clinic:doctor-list",
        "clinic:patient-list",
        "scheduling:appointment-list",
    ],
}


@pytest.mark.parametrize("role", sorted(SEARCHES))
def test_control_characters_in_search_boxes_are_stripped(request, client, role):
    client.force_login(request.getfixturevalue(role))
    for name in SEARCHES[role]:
        for term in ("a%00b", "%01%1f%7f", "x%00", "%00"):
            response = client.get(f"{reverse(name)}?q={term}&patient={term}&when=upcoming")
            assert response.status_code == 200, (name, term)


def test_the_django_admin_search_survives_a_nul(client, django_user_model):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for path in ("/admin/clinic/patient/", "/admin/scheduling/appointment/"):
        assert client.get(f"{path}?q=a%00b").status_code == 200


def test_a_control_character_in_a_form_is_refused_next_to_the_field(client, patient):
    client.force_login(patient)
    profile = patient.patient_profile

    response = client.post(
        reverse("clinic:my-profile"),
        {
            "first_name": "Ma\x00ry",
            "last_name": "Seacole\x07",
            "gender": "female",
            "date_of_birth": "1990-11-23",
            "phone": "+44 20 7946 0123",
            "allergies": "Penicillin\r\nLatex\tsevere",  # line breaks and tabs are fine
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Null characters are not allowed."]  # Django's own message
    assert errors["last_name"] == ["Please remove the invisible control characters from this text."]
    assert "allergies" not in errors
    profile.refresh_from_db()
    assert "\x00" not in profile.user.first_name


def test_text_areas_drop_invisible_characters_and_passwords_are_left_alone():
    from allauth.account.forms import LoginForm

    from records.forms import VisitRecordForm

    record = VisitRecordForm({"complaint": "Cough\x0b pasted\x0c", "diagnosis": "Cold"})
    record.is_valid()
    assert record.cleaned_data["complaint"] == "Cough pasted"
    assert "complaint" not in record.errors
    password = LoginForm.base_fields["password"]
    password.clean("pass\x1bword")  # no ValidationError: passwords are taken as typed


@pytest.mark.parametrize(
    "name",
    ["records:my-history", "scheduling:my-appointments", "clinic:my-profile", "reports:dashboard"],
)
def test_pages_for_a_signed_in_user_are_never_stored(client, patient, name):
    client.force_login(patient)

    response = client.get(reverse(name))

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_several_web_processes_without_a_shared_cache_are_warned_about(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setenv("GUNICORN_WORKERS", "4")
    assert [w.id for w in shared_cache_for_several_processes()] == ["hms.W001"]
    monkeypatch.setenv("GUNICORN_WORKERS", "1")
    assert shared_cache_for_several_processes() == []
    assert [e.id for e in production_needs_a_shared_cache()] == ["hms.E001"]


def test_check_deploy_fails_without_a_shared_cache(settings):
    from django.core.management.base import SystemCheckError

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match=r"hms\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
