from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.db import transaction

from accounts.access import is_staff_member
from accounts.roles import PATIENT
from accounts.services import user_set_role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Public sign-up only ever creates patients; staff accounts are made by hospital admins.
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                user_set_role(user=user, role=PATIENT)
        return user


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff accounts must keep two-factor sign-in. To move it to a new phone, set up the "
            "app again from the same QR code, or ask a hospital administrator."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # With two-factor enforced for staff, a doctor or admin may not switch it off again.
        if settings.HMS_REQUIRE_MFA_FOR_STAFF and is_staff_member(authenticator.user):
            return authenticator.type != authenticator.Type.TOTP
        return super().can_delete_authenticator(authenticator)
