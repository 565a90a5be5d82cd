"""Session safety: a new key at sign-in, other sessions ended when the password changes."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-unusual-passphrase-77"


def signed_in_client(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("reports:patient-dashboard")).status_code == 200


def test_signing_in_issues_a_new_session_key(client, patient):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})

    assert client.session.session_key != before  # no session fixation


def test_changing_the_password_ends_every_other_session_but_keeps_this_one(patient):
    laptop, phone = signed_in_client(patient), signed_in_client(patient)

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_resetting_the_password_by_email_ends_every_session(
    client, patient, django_capture_on_commit_callbacks
):
    phone = signed_in_client(patient)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(reverse("account_reset_password"), {"email": patient.email})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body)[0]
    form_url = client.get(link.split("testserver")[-1]).url  # allauth hides the key in the session

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)
    assert not is_signed_in(phone)
