from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from PIL import Image

from accounts.models import User
from clinic.models import Department, Doctor, Patient
from hms.lib.forms import KeptUploadsMixin, LayoutMixin
from hms.lib.money import currency_label

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NamesMixin(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)


class NewAccountMixin(NamesMixin):
    email = forms.EmailField(
        label="E-mail address", help_text="The invitation to set a password is sent here."
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        taken = Department.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("A department with this name already exists.")
        return name


# --- Doctors --------------------------------------------------------------------------------

DOCTOR_PROFILE_FIELDS = [
    "department",
    "specialization",
    "qualifications",
    "experience_years",
    "phone",
    "consultation_fee",
    "slot_minutes",
    "about",
    "photo",
]


class DoctorProfileForm(KeptUploadsMixin, LayoutMixin, forms.ModelForm):
    kept_upload_fields = ("photo",)

    class Meta:
        model = Doctor
        fields = DOCTOR_PROFILE_FIELDS
        widgets = {
            "about": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = {"photo": "JPEG, PNG or WebP, at most 2 MB."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation_fee"].label = f"Consultation fee in {currency_label()}"
        if "department" in self.fields:
            current = self.instance.department_id if self.instance.pk else None
            self.fields["department"].queryset = Department.objects.filter(
                is_active=True
            ) | Department.objects.filter(pk=current)

    layout = [
        (
            "",
            [
                ("first_name", "last_name"),
                ("email",),
                ("department", "specialization"),
                ("qualifications", "experience_years"),
                ("phone", "consultation_fee", "slot_minutes"),
                ("about",),
                ("photo",),
                ("approve",),
            ],
        )
    ]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo  # unchanged or cleared
        if photo.size > settings.HMS_MAX_PHOTO_BYTES:
            limit = settings.HMS_MAX_PHOTO_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The photo is too large: at most {limit} MB, please.")
        photo.seek(0)
        try:
            with Image.open(photo) as image:
                kind = image.format
        except Exception as exc:
            raise forms.ValidationError("This file is not a readable image.") from exc
        photo.seek(0)
        if kind not in {"JPEG", "PNG", "WEBP"}:
            raise forms.ValidationError("Please upload a JPEG, PNG or WebP image.")
        return photo


class DoctorCreateForm(NewAccountMixin, DoctorProfileForm):
    approve = forms.BooleanField(
        required=False,
        initial=True,
        label="Approve now",
        help_text="Approved doctors appear in the directory and can be booked.",
    )

    class Meta(DoctorProfileForm.Meta):
        pass


class DoctorStaffForm(NamesMixin, DoctorProfileForm):
    class Meta(DoctorProfileForm.Meta):
        pass


class DoctorSelfForm(NamesMixin, DoctorProfileForm):
    """What doctors may change about themselves: not their department or status."""

    class Meta(DoctorProfileForm.Meta):
        fields = [f for f in DOCTOR_PROFILE_FIELDS if f != "department"]


# --- Patients -------------------------------------------------------------------------------

PATIENT_PROFILE_FIELDS = [
    "gender",
    "date_of_birth",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "blood_group",
    "height_cm",
    "weight_kg",
    "allergies",
    "chronic_conditions",
    "has_disability",
    "disability_notes",
]


class PatientProfileForm(LayoutMixin, forms.ModelForm):
    class Meta:
        model = Patient
        fields = PATIENT_PROFILE_FIELDS
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "address": forms.Textarea(attrs={"rows": 2}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "chronic_conditions": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "allergies": "Medicines, foods or materials, e.g. penicillin, latex.",
            "phone": "Include the country code if it is not a local number.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("gender", "date_of_birth", "phone"):
            self.fields[name].required = True
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["height_cm"].widget.attrs.update(min=30, max=250, step="0.1")
        self.fields["weight_kg"].widget.attrs.update(min=1, max=400, step="0.1")

    layout = [
        (
            "Personal details",
            [
                ("first_name", "last_name"),
                ("email",),
                ("gender", "date_of_birth", "phone"),
                ("address",),
            ],
        ),
        ("Emergency contact", [("emergency_contact_name", "emergency_contact_phone")]),
        (
            "Health",
            [
                ("blood_group", "height_cm", "weight_kg"),
                ("allergies", "chronic_conditions"),
                ("has_disability", "disability_notes"),
            ],
        ),
    ]

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born is None:
            return born
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born < Patient.oldest_plausible_birth_date():
            raise forms.ValidationError("Please check the year: that is more than 130 years ago.")
        return born

    def clean_height_cm(self):
        return self._in_range("height_cm", Decimal("30"), Decimal("250"), "Height", "cm")

    def clean_weight_kg(self):
        return self._in_range("weight_kg", Decimal("1"), Decimal("400"), "Weight", "kg")

    def _in_range(self, name, low, high, label, unit):
        value = self.cleaned_data.get(name)
        if value is not None and not (low <= value <= high):
            raise forms.ValidationError(f"{label} must be between {low} and {high} {unit}.")
        return value

    def clean(self):
        data = super().clean()
        name, phone = data.get("emergency_contact_name"), data.get("emergency_contact_phone")
        if name and not phone and "emergency_contact_phone" not in self.errors:
            self.add_error("emergency_contact_phone", "Add a phone number for this contact.")
        if phone and not name:
            self.add_error("emergency_contact_name", "Whom should we call on this number?")
        if data.get("disability_notes") and not data.get("has_disability"):
            data["has_disability"] = True
        return data


class PatientCreateForm(NewAccountMixin, PatientProfileForm):
    """Staff registration, walk-ins included: the e-mail address is optional."""

    email = forms.EmailField(
        label="E-mail address (optional)",
        required=False,
        help_text=(
            "The invitation to set a password is sent here. Without one the patient has no "
            "login and gets no e-mail reminders until an address is added."
        ),
    )

    class Meta(PatientProfileForm.Meta):
        pass

    def clean_email(self) -> str | None:
        if not self.cleaned_data.get("email"):
            return None
        return super().clean_email()


class PatientEmailForm(NewAccountMixin, forms.Form):
    """The first e-mail address of a patient registered without one."""

    first_name = None
    last_name = None


class PatientEditForm(NamesMixin, PatientProfileForm):
    class Meta(PatientProfileForm.Meta):
        pass


def name_fields(form: forms.Form) -> dict:
    return {k: form.cleaned_data[k] for k in ("first_name", "last_name") if k in form.cleaned_data}


def profile_fields(form: forms.ModelForm) -> dict:
    return {k: form.cleaned_data[k] for k in form._meta.fields if k in form.cleaned_data}
