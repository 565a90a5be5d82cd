import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from accounts.roles import DOCTOR
from clinic.models import Doctor
from clinic.signals import doctor_pending_work
from clinic.tests.factories import DepartmentFactory, DoctorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, hospital_admin):
    client.force_login(hospital_admin)
    return client


def _new_doctor_data(department, **extra):
    return {
        "email": "New.Doc@Example.com",
        "first_name": "Nia",
        "last_name": "Long",
        "department": department.pk,
        "specialization": "Arrhythmia",
        "qualifications": "MBBS, MD",
        "experience_years": "6",
        "phone": "020 7946 0991",
        "consultation_fee": "60.00",
        "slot_minutes": "20",
        "about": "Kind.",
        "approve": "on",
        **extra,
    }


def _png(size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_admin_creates_a_doctor_who_is_invited_to_set_a_password(
    staff, django_capture_on_commit_callbacks
):
    cardio = DepartmentFactory(name="Cardiology")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("clinic:doctor-create"), _new_doctor_data(cardio))

    doctor = Doctor.objects.get(user__email="new.doc@example.com")
    assert response.url == reverse("clinic:doctor-detail", args=[doctor.pk])
    assert doctor.status == Doctor.Status.ACTIVE
    assert doctor.phone.as_e164 == "+442079460991"  # read in the hospital's region
    assert list(doctor.user.groups.values_list("name", flat=True)) == [DOCTOR]
    assert not doctor.user.has_usable_password()

    assert len(mail.outbox) == 1
    invite = mail.outbox[0]
    assert invite.to == ["new.doc@example.com"]
    assert invite.alternatives  # HTML part too
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", invite.body).group(1)
    browser = Client()
    form_page = browser.get(path, follow=True)
    browser.post(
        form_page.redirect_chain[-1][0],
        {"password1": "doctors-new-passphrase-9", "password2": "doctors-new-passphrase-9"},
    )
    assert browser.login(email="new.doc@example.com", password="doctors-new-passphrase-9")


@pytest.mark.django_db(transaction=True)  # real commits: the directory cache is busted on commit
def test_an_unapproved_doctor_is_pending_and_not_in_the_directory(staff):
    cardio = DepartmentFactory(name="Cardiology")
    data = _new_doctor_data(cardio)
    del data["approve"]

    staff.post(reverse("clinic:doctor-create"), data)

    doctor = Doctor.objects.get()
    assert doctor.status == Doctor.Status.PENDING
    assert staff.get(reverse("clinic:directory")).context["page"].paginator.count == 0
    staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "approve"]))
    assert staff.get(reverse("clinic:directory")).context["page"].paginator.count == 1


def test_create_form_errors_are_shown_and_nothing_is_saved(staff):
    DoctorFactory(user__email="taken@example.com")
    cardio = DepartmentFactory(name="Cardiology")
    data = _new_doctor_data(
        cardio, email="TAKEN@example.com", phone="12", experience_years="90", consultation_fee="-1"
    )

    response = staff.post(reverse("clinic:doctor-create"), data)

    errors = response.context["form"].errors
    assert errors["email"] == ["An account with this e-mail address already exists."]
    assert "phone" in errors and "experience_years" in errors and "consultation_fee" in errors
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert Doctor.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_block_shows_what_is_affected_then_stops_login_and_booking(staff, password):
    doctor = DoctorFactory(user__email="dr@example.com")

    def receiver(sender, doctor, **kwargs):
        return ["2 future appointments"]

    doctor_pending_work.connect(receiver)
    try:
        confirm = staff.get(reverse("clinic:doctor-action", args=[doctor.pk, "block"]))
    finally:
        doctor_pending_work.disconnect(receiver)
    assert "2 future appointments" in confirm.content.decode()

    staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "block"]))

    doctor.refresh_from_db()
    assert doctor.status == Doctor.Status.BLOCKED
    assert not Client().login(email="dr@example.com", password=password)
    assert staff.get(reverse("clinic:directory")).context["page"].paginator.count == 0

    staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "unblock"]))
    doctor.refresh_from_db()
    assert doctor.status == Doctor.Status.ACTIVE
    assert Client().login(email="dr@example.com", password=password)


def test_block_confirmation_says_when_nothing_is_affected(staff):
    doctor = DoctorFactory()
    confirm = staff.get(reverse("clinic:doctor-action", args=[doctor.pk, "block"]))
    assert "No future appointments are affected." in confirm.content.decode()


def test_remove_is_a_soft_delete_that_keeps_the_doctor_row(staff, password):
    doctor = DoctorFactory(user__email="gone@example.com")

    response = staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "remove"]), follow=True)

    doctor.refresh_from_db()
    assert doctor.removed_at is not None
    assert not doctor.user.is_active
    assert "removed" in response.content.decode()
    assert not Client().login(email="gone@example.com", password=password)
    default_list = staff.get(reverse("clinic:doctor-list")).context["page"]
    assert doctor not in list(default_list)
    removed_list = staff.get(reverse("clinic:doctor-list"), {"state": "removed"}).context["page"]
    assert list(removed_list) == [doctor]
    # Nothing more can be done with a removed doctor.
    staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "unblock"]))
    doctor.refresh_from_db()
    assert doctor.status == Doctor.Status.ACTIVE and doctor.removed_at is not None


def test_an_impossible_action_gives_a_message_not_an_error(staff):
    doctor = DoctorFactory()  # already active

    response = staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "approve"]), follow=True)

    assert response.status_code == 200
    assert "cannot approve" in response.content.decode()


def test_unknown_action_is_404(staff):
    doctor = DoctorFactory()
    assert (
        staff.post(reverse("clinic:doctor-action", args=[doctor.pk, "delete"])).status_code == 404
    )


def test_photo_must_be_a_small_image(staff, settings):
    doctor = DoctorFactory()
    url = reverse("clinic:doctor-edit", args=[doctor.pk])
    base = {
        "first_name": "A",
        "last_name": "B",
        "department": doctor.department_id,
        "qualifications": "MBBS",
        "experience_years": "3",
        "slot_minutes": "30",
    }
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = staff.post(url, {**base, "photo": fake})
    assert "photo" in response.context["form"].errors

    settings.HMS_MAX_PHOTO_BYTES = 100
    response = staff.post(url, {**base, "photo": _png((200, 200))})
    assert "too large" in response.context["form"].errors["photo"][0]

    settings.HMS_MAX_PHOTO_BYTES = 2 * 1024 * 1024
    response = staff.post(url, {**base, "photo": _png()})
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert doctor.photo
    photo = staff.get(reverse("clinic:doctor-photo", args=[doctor.pk]))
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")


def test_doctor_edits_own_profile_but_not_department_or_status(client, doctor):
    other = DepartmentFactory(name="Elsewhere")
    profile = doctor.doctor_profile
    client.force_login(doctor)

    page = client.get(reverse("clinic:my-profile"))
    assert "department" not in page.context["form"].fields
    response = client.post(
        reverse("clinic:my-profile"),
        {
            "first_name": "Greg",
            "last_name": "Hale",
            "qualifications": "MBBS, PhD",
            "experience_years": "15",
            "slot_minutes": "15",
            "department": other.pk,
            "status": "blocked",
        },
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.qualifications == "MBBS, PhD"
    assert profile.slot_minutes == 15
    assert profile.department != other
    assert profile.status == Doctor.Status.ACTIVE
    assert profile.user.first_name == "Greg"


def test_doctor_group_is_the_only_role_of_a_created_doctor(staff):
    staff.post(reverse("clinic:doctor-create"), _new_doctor_data(DepartmentFactory()))
    user = User.objects.get(email="new.doc@example.com")
    assert set(user.groups.all()) == {Group.objects.get(name=DOCTOR)}


def test_new_doctor_form_with_an_error_keeps_the_chosen_photo(staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    department = DepartmentFactory()
    url = reverse("clinic:doctor-create")

    first = staff.post(
        url, {**_new_doctor_data(department, experience_years="-3"), "photo": _png()}
    )

    assert first.status_code == 200 and "experience_years" in first.context["form"].errors
    html = first.content.decode()
    assert "Kept: me.png" in html
    token = re.search(r'name="photo_kept" value="([^"]+)"', html).group(1)
    assert not Doctor.objects.exists()

    second = staff.post(url, {**_new_doctor_data(department), "photo_kept": token})

    assert second.status_code == 302
    doctor = Doctor.objects.get()
    assert doctor.photo.read().startswith(b"\x89PNG")
    assert not list((tmp_path / "kept-uploads").iterdir())  # the kept copy is used once


def test_a_forged_kept_photo_reference_is_ignored(staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    data = {**_new_doctor_data(DepartmentFactory()), "photo_kept": "kept-uploads/../../etc/passwd"}

    assert staff.post(reverse("clinic:doctor-create"), data).status_code == 302
    assert not Doctor.objects.get().photo


def test_staff_move_appointment_button_is_not_in_the_patients_words(
    client, hospital_admin, patient
):
    from scheduling.tests.factories import AppointmentFactory

    appointment = AppointmentFactory(patient=patient.patient_profile)
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    client.force_login(hospital_admin)
    staff_page = client.get(url).content.decode()
    client.force_login(patient)
    patient_page = client.get(url).content.decode()

    assert "Move appointment</button>" in staff_page and "Move my appointment" not in staff_page
    assert "Move my appointment</button>" in patient_page


def test_the_fee_field_names_the_currency(staff, settings):
    settings.HOSPITAL_CURRENCY = "INR"
    page = staff.get(reverse("clinic:doctor-create")).content.decode()
    assert "Consultation fee in INR (₹)" in page
