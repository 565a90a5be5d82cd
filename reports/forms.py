from datetime import timedelta

from django import forms
from django.utils import timezone

from clinic.models import Doctor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Report",
        choices=[("appointments", "Doctor appointments"), ("treatments", "Patient treatments")],
    )
    date_from = forms.DateField(label="From", widget=DATE)
    date_to = forms.DateField(label="To", widget=DATE)
    doctor = forms.ModelChoiceField(
        queryset=Doctor.objects.listed().with_related(), required=False, empty_label="All doctors"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date_from"].initial = today.replace(day=1)
        self.fields["date_to"].initial = today

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", "The end must be on or after the start.")
            elif last - first > timedelta(days=366):
                self.add_error("date_to", "At most one year per report.")
        return data
