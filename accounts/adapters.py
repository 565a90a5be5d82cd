from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

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
