import django_filters
from django import forms
from django.db.models import Q

from clinic.models import Department, Doctor, Patient


class DoctorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), empty_label="All departments"
    )
    state = django_filters.ChoiceFilter(
        label="Status",
        method="filter_state",
        empty_label="Any (not removed)",
        choices=[*Doctor.Status.choices, ("removed", "Removed")],
    )

    class Meta:
        model = Doctor
        fields = ["q", "department", "state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "Name, department or specialization"

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("state"):
            qs = qs.filter(removed_at__isnull=True)
        return qs

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_state(self, queryset, name, value):
        if value == "removed":
            return queryset.filter(removed_at__isnull=False)
        return queryset.filter(status=value, removed_at__isnull=True)


class PatientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    active = django_filters.ChoiceFilter(
        field_name="is_active",
        label="Account",
        empty_label="Active and inactive",
        choices=[("true", "Active"), ("false", "Inactive")],
        method="filter_active",
    )
    gender = django_filters.ChoiceFilter(choices=Patient.Gender.choices, empty_label="Any gender")
    blood_group = django_filters.ChoiceFilter(
        choices=[c for c in Patient.BloodGroup.choices if c[0]], empty_label="Any blood group"
    )

    class Meta:
        model = Patient
        fields = ["q", "active", "gender", "blood_group"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {
            **self.form.fields["q"].widget.attrs,
            "placeholder": "Name, phone or date of birth",
            "autocomplete": "off",
        }
        self.form.fields["q"].widget = forms.TextInput(attrs=attrs)
        self.form.fields["q"].widget.input_type = "search"
        self.form.fields["q"].help_text = "e.g. okafor amara, 07911 654, 14/03/1980 or 1980"

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(Q(is_active=(value == "true")))
