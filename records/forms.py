from __future__ import annotations

from django import forms

from hms.lib.forms import LayoutMixin
from hms.lib.formsets import CompleteFormSetMixin
from records.models import REASON_MAX_LENGTH, PrescriptionItem, VisitRecord


class VisitRecordForm(LayoutMixin, forms.ModelForm):
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

    # Drawn after the prescription (records/record_form.html), not in the layout.
    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Kept with this version and shown in the version history.",
    )

    def __init__(self, *args, visit_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_date = visit_date
        if not self.instance.pk:  # a reason is for changing a completed record
            del self.fields["change_reason"]

    layout = [
        ("Visit", [("visit_type", "follow_up_on"), ("complaint",)]),
        (
            "Vitals (optional)",
            [("bp_systolic", "bp_diastolic", "pulse"), ("temperature_c", "spo2", "weight_kg")],
        ),
        ("Assessment", [("diagnosis",), ("tests_done", "tests_ordered"), ("advice", "notes")]),
    ]

    def reason(self) -> str:
        """The reason given for an edit ("" when none, or when completing the visit)."""
        return self.cleaned_data.get("change_reason", "")

    def record_data(self) -> dict:
        """The cleaned values the services save."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

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


# A tuple, not Meta.fields: the inline formset appends its foreign key to that list.
ITEM_FIELDS = PrescriptionItem.CONTENT_FIELDS


class PrescriptionItemForm(forms.ModelForm):
    class Meta:
        model = PrescriptionItem
        fields = list(ITEM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank new line is ignored, so nothing in it is required (and no "*" is drawn); once
        # the line has content, medicine, dose and frequency are. A blank bound line is never
        # validated (the formset skips unchanged extra forms), so this changes no other answer.
        if not self.has_content():
            for field in self.fields.values():
                field.required = False

    def has_content(self) -> bool:
        """A saved line, or a new one with something typed in it."""
        if self.instance.pk:
            return True
        return self.is_bound and any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in ITEM_FIELDS
        )


class BasePrescriptionFormSet(CompleteFormSetMixin, forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new visit usually has several medicines; an edit mostly adds one ("Add a line" for
        # more).
        self.extra = 1 if self.instance.pk else 2

    @property
    def is_full(self) -> bool:
        """No line can be added (the formset's absolute_max)."""
        return self.total_form_count() >= self.absolute_max

    def items(self) -> list[dict]:
        """The lines to keep or add, as the services take them ("id" None for new lines)."""
        return [
            {"id": f.instance.pk, **{name: f.cleaned_data[name] for name in ITEM_FIELDS}}
            for f in self.kept_forms()
        ]


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
