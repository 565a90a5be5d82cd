import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import PATIENT
from accounts.tests.factories import UserFactory, doctor_user, patient_user

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "Ada@Example.com",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}


def test_signup_creates_a_user_in_the_patient_group_only(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)

    user = User.objects.get(email__iexact="ada@example.com")
    assert [g.name for g in user.groups.all()] == [PATIENT]
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert not user.is_staff and not user.is_superuser
    # The patient profile exists and the new patient is asked to complete it.
    assert user.patient_profile.is_active
    assert response.redirect_chain[-1][0] == reverse("clinic:my-profile") + "?welcome=1"
    assert b"Please complete your profile" in response.content


def test_signup_with_a_taken_email_shows_the_error_and_saves_nothing(client):
    UserFactory(email="ada@example.com")

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


def test_signup_rejects_a_weak_password_next_to_the_field(client):
    data = {**SIGNUP, "password1": "password", "password2": "password"}

    response = client.post(reverse("account_signup"), data)

    assert "password1" in response.context["form"].errors
    assert b"This password is too common" in response.content
    assert not User.objects.filter(email__iexact="ada@example.com").exists()


def test_signup_page_has_name_fields_and_is_styled(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert 'name="first_name"' in html and 'name="last_name"' in html
    assert "form-control" in html  # rendered through crispy-bootstrap5


def test_login_with_email_lands_on_the_role_dashboard(client, password):
    doctor_user(email="house@example.com")

    response = client.post(
        reverse("account_login"), {"login": "HOUSE@example.com", "password": password}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("reports:doctor-dashboard")
    assert response.status_code == 200


def test_wrong_password_shows_a_clear_error(client):
    UserFactory(email="someone@example.com")

    response = client.post(
        reverse("account_login"), {"login": "someone@example.com", "password": "nope"}
    )

    assert response.status_code == 200
    assert b"not correct" in response.content


def test_password_reset_email_contains_a_working_link(
    client, password, django_capture_on_commit_callbacks
):
    from hms.lib.outbox.models import Message

    user = UserFactory(email="forgetful@example.com")

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@hms.local>")
    assert Message.objects.get().args == []  # the link is not kept once sent
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = urlsplit(link).path
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-passphrase-77"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change_keeps_this_session_and_ends_the_others(client, password):
    user = patient_user(email="careful@example.com")
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    new_password = "another-long-passphrase-31"

    client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )

    assert client.get(reverse("reports:patient-dashboard")).status_code == 200  # still signed in
    other = other_device.get(reverse("reports:dashboard"))
    assert other.status_code == 302 and other.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("flow", ["signup", "reset"])
def test_account_emails_name_the_hospital_and_link_to_its_public_address(
    client, settings, django_capture_on_commit_callbacks, flow
):
    settings.HOSPITAL_NAME = "St Elsewhere Hospital"
    settings.HMS_BASE_URL = "https://care.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        if flow == "signup":
            client.post(reverse("account_signup"), SIGNUP)
        else:
            UserFactory(email="forgetful@example.com")
            client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})

    body = mail.outbox[-1].body
    assert "Hello from St Elsewhere Hospital!" in body
    assert "testserver" not in body and "127.0.0.1" not in body
    assert re.search(r"https://care\.example\.org/accounts/\S+", body)
