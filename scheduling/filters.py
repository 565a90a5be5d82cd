import django_filters
from django import forms

from clinic import selectors
from clinic.models import Patient
from hms.lib.forms import FastSelect
from hms.lib.request import is_sane_day
from scheduling.models import Appointment
from scheduling.slots import day_bounds

DATE = forms.DateInput(attrs={"type": "date"})


class AppointmentFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label="From", method="filter_from", widget=DATE)
    date_to = django_filters.DateFilter(label="To", method="filter_to", widget=DATE)
    doctor = django_filters.ChoiceFilter(empty_label="All doctors", widget=FastSelect)
    department = django_filters.ChoiceFilter(
        field_name="doctor__department",
        empty_label="All departments",
        label="Department",
        widget=FastSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=Appointment.Status.choices, empty_label="Any status", widget=FastSelect
    )
    when = django_filters.ChoiceFilter(
        label="When",
        method="filter_when",
        empty_label="Past and upcoming",
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        widget=FastSelect,
    )
    patient = django_filters.CharFilter(label="Patient", method="filter_patient")
    # One patient's appointments, linked from the staff patient page (a walk-in may have no
    # e-mail address to search by).
    patient_id = django_filters.NumberFilter(field_name="patient_id", widget=forms.HiddenInput)
    attention = django_filters.ChoiceFilter(
        label="Needs attention",
        method="filter_attention",
        empty_label="All appointments",
        choices=[("1", "Doctor on leave or hospital closed")],
        widget=FastSelect,
    )

    class Meta:
        model = Appointment
        fields = [
            "date_from",
            "date_to",
            "doctor",
            "department",
            "status",
            "when",
            "patient",
            "patient_id",
            "attention",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        # Set on the form's own fields: choices given to the filters would be deep-copied with
        # every form (~0.8 ms for the 200 doctors).
        fields["doctor"].choices = selectors.doctor_choices()
        fields["department"].choices = selectors.department_choices()
        fields["patient"].widget.attrs["placeholder"] = "Name, phone or date of birth"

    def filter_from(self, queryset, name, value):
        if not is_sane_day(value):
            return queryset
        return queryset.filter(start__gte=day_bounds(value)[0])

    def filter_to(self, queryset, name, value):
        if not is_sane_day(value):
            return queryset
        return queryset.filter(start__lt=day_bounds(value)[1])

    def filter_when(self, queryset, name, value):
        if value == "upcoming":
            return queryset.upcoming()
        return queryset.past().order_by("-start")

    def filter_attention(self, queryset, name, value):
        return queryset.needing_attention()

    def filter_patient(self, queryset, name, value):
        # The same search as the staff patient list: name, e-mail, phone or date of birth.
        return queryset.filter(patient__in=Patient.objects.search(value).values("pk"))


class QueueFilter(django_filters.FilterSet):
    """Today's queue narrowed to one department or one doctor."""

    department = django_filters.ChoiceFilter(
        field_name="doctor__department",
        empty_label="All departments",
        label="Department",
        widget=FastSelect,
    )
    doctor = django_filters.ChoiceFilter(empty_label="All doctors", widget=FastSelect)

    class Meta:
        model = Appointment
        fields = ["department", "doctor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["department"].choices = selectors.department_choices()
        self.form.fields["doctor"].choices = selectors.doctor_choices()
