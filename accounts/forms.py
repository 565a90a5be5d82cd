from django import forms


class SignupForm(forms.Form):
    """Extra fields of the public sign-up form (allauth adds e-mail and passwords)."""

    first_name = forms.CharField(max_length=150, label="First name", strip=True)
    last_name = forms.CharField(max_length=150, label="Last name", strip=True)

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        # allauth's adapter.save_user has already copied first_name/last_name onto the user.
        pass
