from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms

from hms.lib.formsets import CompleteFormSetMixin
from records.models import PrescriptionItem, VisitRecord


def _row(*names: str) -> Row:
    return Row(*[Column(n, css_class="col-md") for n in names])


class VisitRecordForm(forms.ModelForm):
    class Meta:
        model = VisitRecord
        fields = [
            "visit_type",
            "complaint",
            "bp_systolic",
            "bp_diastolic",
            "pulse",
            "temperature_c",
            "spo2",
            "weight_kg",
            "diagnosis",
            "tests_done",
            "tests_ordered",
            "advice",
            "notes",
            "follow_up_on",
        ]
        widgets = {
            "complaint": forms.Textarea(attrs={"rows": 2}),
            "diagnosis": forms.Textarea(attrs={"rows": 2}),
            "tests_done": forms.Textarea(attrs={"rows": 2}),
            "tests_ordered": forms.Textarea(attrs={"rows": 2}),
            "advice": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, visit_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_date = visit_date
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("Visit", _row("visit_type", "follow_up_on"), "complaint"),
            Fieldset(
                "Vitals (optional)",
                _row("bp_systolic", "bp_diastolic", "pulse"),
                _row("temperature_c", "spo2", "weight_kg"),
            ),
            Fieldset(
                "Assessment",
                "diagnosis",
                _row("tests_done", "tests_ordered"),
                _row("advice", "notes"),
            ),
        )

    def clean(self):
        data = super().clean()
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if (systolic is None) != (diastolic is None) and not (
            "bp_systolic" in self.errors or "bp_diastolic" in self.errors
        ):
            self.add_error("bp_diastolic", "Enter both numbers of the blood pressure, or neither.")
        elif systolic and diastolic and diastolic >= systolic:
            self.add_error("bp_diastolic", "The diastolic pressure must be below the systolic.")
        follow_up = data.get("follow_up_on")
        if follow_up and self.visit_date and follow_up <= self.visit_date:
            self.add_error("follow_up_on", "The follow-up must be after the visit.")
        return data


class PrescriptionItemForm(forms.ModelForm):
    class Meta:
        model = PrescriptionItem
        fields = ["medicine", "dose", "frequency", "duration", "instructions"]


class BasePrescriptionFormSet(CompleteFormSetMixin, forms.BaseInlineFormSet):
    pass


PrescriptionFormSet = forms.inlineformset_factory(
    VisitRecord,
    PrescriptionItem,
    form=PrescriptionItemForm,
    formset=BasePrescriptionFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
    # A forged TOTAL_FORMS of 1,000 would otherwise build (and render) 1,000 forms.
    absolute_max=30,
)
