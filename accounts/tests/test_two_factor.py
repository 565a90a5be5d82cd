"""Two-factor sign-in (TOTP): open to everyone, enforceable for staff by a setting."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, patient_user

pytestmark = pytest.mark.django_db


def totp(secret: str, *, at: float | None = None) -> str:
    """RFC 6238 (30 s steps, SHA-1, 6 digits): what a phone app shows, computed independently."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def activate_totp(client) -> str:
    # Setting up two-factor is a sensitive change, but the password was typed moments ago to
    # sign in: it is not asked for again (later it is: see the reauthentication tests below).
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302, response.content
    return secret


def test_a_patient_sets_up_an_authenticator_and_then_needs_a_code_to_sign_in(client, patient):
    sign_in(client, patient)
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=patient, type="totp").exists()
    client.post(reverse("account_logout"))

    response = sign_in(client, patient)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("reports:dashboard")).status_code == 302  # not signed in yet

    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:patient-dashboard")


def test_a_code_cannot_be_used_twice(client, patient):
    sign_in(client, patient)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    sign_in(client, patient)
    code = totp(secret)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    sign_in(client, patient)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200  # refused: a replayed code


def test_two_factor_is_optional_for_staff_when_not_enforced(client, settings, doctor):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = False
    sign_in(client, doctor)

    assert client.get(reverse("reports:doctor-dashboard")).status_code == 200


def test_enforced_staff_must_set_up_two_factor_before_any_other_page(client, settings, doctor):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    sign_in(client, doctor)

    response = client.get(reverse("reports:doctor-dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("scheduling:doctor-day")).url == reverse("mfa_activate_totp")
    # The account pages (set-up itself, password change, sign-out) stay open.
    assert client.get(reverse("account_change_password")).status_code == 200

    activate_totp(client)

    assert client.get(reverse("reports:doctor-dashboard")).status_code == 200


def test_enforced_staff_cannot_switch_two_factor_off(client, settings, hospital_admin):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    sign_in(client, hospital_admin)
    activate_totp(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "Staff accounts must keep two-factor sign-in" in response.content.decode()
    assert Authenticator.objects.filter(user=hospital_admin, type="totp").exists()


def test_enforcement_never_applies_to_patients(client, settings, patient):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    sign_in(client, patient)

    assert client.get(reverse("reports:patient-dashboard")).status_code == 200


def test_a_patient_may_switch_two_factor_off(client, settings, patient):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    sign_in(client, patient)
    activate_totp(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=patient, type="totp").exists()


def test_the_two_factor_page_shows_the_state(client, patient):
    sign_in(client, patient)
    assert "Not set up" in client.get(reverse("mfa_index")).content.decode()

    activate_totp(client)

    page = client.get(reverse("mfa_index")).content.decode()
    assert "Active: you are asked for a code" in page
    assert "10 of 10 codes are unused" in page


def test_enforcement_covers_django_admin_staff_without_a_role(client, settings):
    from django.contrib.auth.models import Permission

    from accounts.tests.factories import UserFactory

    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    clerk = UserFactory(is_staff=True, email="clerk@example.com")
    clerk.user_permissions.add(Permission.objects.get(codename="view_patient"))
    sign_in(client, clerk)

    response = client.get("/admin/clinic/patient/")

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_enforced_staff_set_up_two_factor_right_after_signing_in_without_the_password_again(
    client, settings, doctor
):
    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    sign_in(client, doctor)

    response = client.get(reverse("reports:doctor-dashboard"), follow=True)

    assert response.redirect_chain == [(reverse("mfa_activate_totp"), 302)]
    assert response.status_code == 200 and "form" in response.context
    assert "Staff accounts need two-factor sign-in" in response.content.decode()


def test_the_password_is_asked_again_once_the_sign_in_is_older_than_the_window(
    client, patient, time_machine
):
    sign_in(client, patient)
    time_machine.move_to(time.time() + allauth_settings.REAUTHENTICATION_TIMEOUT + 1)

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_recovery_codes_shown_after_set_up_have_a_continue_button(client, patient):
    sign_in(client, patient)
    secret_page = client.get(reverse("mfa_activate_totp"))
    code = totp(secret_page.context["form"].secret)

    response = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    page = response.content.decode()
    assert "10 of 10 codes are unused" in page
    for unused in response.context["unused_codes"]:
        assert unused in page
    assert f'<a class="btn btn-primary" href="{reverse("mfa_index")}">Continue</a>' in page


def test_an_unconfirmed_address_is_explained_before_set_up_with_a_way_to_resend_the_link(
    client, django_capture_on_commit_callbacks
):
    user = patient_user(email="new.patient@example.com")
    EmailAddress.objects.filter(user=user).update(verified=False)
    sign_in(client, user)

    page = client.get(reverse("mfa_index")).content.decode()
    assert "Confirm your e-mail address first" in page
    assert "new.patient@example.com" in page
    assert reverse("mfa_activate_totp") not in page  # no "Set up" button that would fail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"),
            {"email": user.email, "action_send": ""},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("account_email")
    assert "Confirmation email sent to new.patient@example.com" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["new.patient@example.com"]]


def test_a_confirmed_address_shows_the_set_up_button(client):
    user = patient_user()
    assert EmailAddress.objects.filter(user=user, verified=True).exists()
    sign_in(client, user)

    page = client.get(reverse("mfa_index")).content.decode()

    assert "Confirm your e-mail address first" not in page
    assert reverse("mfa_activate_totp") in page
