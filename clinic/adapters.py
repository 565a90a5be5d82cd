from django.db import transaction
from django.urls import reverse

from accounts.adapters import AccountAdapter
from clinic.services import patient_create_for_signup


class ClinicAccountAdapter(AccountAdapter):
    """Sign-up creates the patient's (empty) profile in the same transaction as the account."""

    def save_user(self, request, user, form, commit=True):
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                patient_create_for_signup(user=user)
        return user

    def get_signup_redirect_url(self, request):
        return reverse("clinic:my-profile") + "?welcome=1"
