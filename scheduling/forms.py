from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from clinic.models import Department, Doctor, Patient
from hms.lib.formsets import CompleteFormSetMixin
from scheduling.models import Holiday, WaitlistEntry, WorkingHours
from scheduling.slots import Slot, is_sane_day, parse_slot_key

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SlotForm(forms.Form):
    """Pick one of the offered slots (radio buttons), plus a reason when booking."""

    GONE = "This slot is no longer available — please pick another."

    slot = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please pick a time.",
            "invalid_choice": GONE,
        },
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the visit",
        help_text="Optional: helps the doctor prepare.",
    )

    # Sent by the "Book another" button of the question asked when the patient already sees the
    # same doctor that day.
    confirm_same_day = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offered: list[Slot], with_reason: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (s.key, timezone.localtime(s.start).strftime("%H:%M")) for s in offered
        ]
        self.same_day_question = ""
        if not with_reason:
            del self.fields["reason"], self.fields["confirm_same_day"]

    def clean_slot(self) -> datetime:
        start = parse_slot_key(self.cleaned_data["slot"])
        if start is None:
            raise forms.ValidationError(self.GONE)
        return start


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason (optional)",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Feeling better"}),
    )

    def __init__(self, *args, placeholder: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if placeholder:
            self.fields["reason"].widget.attrs["placeholder"] = placeholder


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end"]
        widgets = {"start": TIME_WIDGET, "end": TIME_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank new row is ignored, so nothing in it is required (and no "*" is drawn); once
        # something is entered in it, day, start and end are.
        if not self.instance.pk and not (self.is_bound and self.has_changed()):
            for field in self.fields.values():
                field.required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end must be after the start.")
        return data


class BaseWorkingHoursFormSet(CompleteFormSetMixin, forms.BaseModelFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A doctor without hours gets a few blank rows; a change mostly adds one ("Add a row"
        # for more).
        self.extra = 1 if len(self.get_queryset()) else 3  # the rows are read once anyway

    @property
    def is_full(self) -> bool:
        """No row can be added (the formset's absolute_max)."""
        return self.total_form_count() >= self.absolute_max

    def rows(self) -> list[tuple]:
        """(id or None, weekday, start, end) of every interval to keep or add."""
        return [
            (
                f.instance.pk,
                f.cleaned_data["weekday"],
                f.cleaned_data["start"],
                f.cleaned_data["end"],
            )
            for f in self.kept_forms()
        ]

    def clean(self):
        super().clean()
        seen: dict[int, list[tuple[time, time, forms.Form]]] = {}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE") or form.errors:
                continue
            day, start, end = (form.cleaned_data[k] for k in ("weekday", "start", "end"))
            for other_start, other_end, _ in seen.get(day, []):
                if start < other_end and other_start < end:
                    form.add_error(
                        "start",
                        f"Overlaps {other_start:%H:%M}–{other_end:%H:%M} on the same day.",
                    )
            seen.setdefault(day, []).append((start, end, form))


WorkingHoursFormSet = forms.modelformset_factory(
    WorkingHours,
    form=WorkingHoursForm,
    formset=BaseWorkingHoursFormSet,
    extra=3,
    can_delete=True,
    # Up to six time ranges a day; a forged TOTAL_FORMS cannot make the server build more forms.
    max_num=42,
    validate_max=True,
    absolute_max=42,
)


class LeaveForm(forms.Form):
    start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end must be after the start.")
        for name in ("start", "end"):
            if data.get(name) and not is_sane_day(data[name].date()):
                self.add_error(name, "Please choose a date within the next few years.")
        return data


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not is_sane_day(day):
            raise forms.ValidationError("Please choose a date within the next few years.")
        return day


class QueueBookingForm(forms.Form):
    """Whom the front desk books into a doctor's next free slot today (the slot itself travels
    beside the form: when it is taken meanwhile the page offers the next one)."""

    patient = forms.CharField(
        label="Patient",
        max_length=200,
        help_text="Name, phone, date of birth or e-mail address: enough to find one patient.",
        error_messages={"required": "Enter the patient's name, phone, date of birth or e-mail."},
    )
    reason = forms.CharField(max_length=500, required=False, label="Reason for the visit")

    def clean_patient(self) -> str:
        """One registered patient found by the staff search (a walk-in may have no e-mail)."""
        text = " ".join(self.cleaned_data["patient"].split())
        found = Patient.objects.with_related().order_by("user__last_name", "user__first_name", "pk")
        exact = found.filter(user__email__iexact=text) if "@" in text else found.none()
        matches = list(exact[:1]) or list(found.search(text)[:6])
        if not matches:
            raise forms.ValidationError(
                f"No patient matches “{text}”: check it, or register the patient first."
            )
        if len(matches) > 1:
            shown = "; ".join(f"{p}, born {p.date_of_birth:%d/%m/%Y}" for p in matches[:5])
            more = " and more" if len(matches) > 5 else ""
            raise forms.ValidationError(
                f"Several patients match ({shown}{more}): add the date of birth or phone."
            )
        if not matches[0].is_active:
            raise forms.ValidationError("This patient's account is inactive.")
        self.patient = matches[0]
        return text


class WaitlistJoinForm(forms.Form):
    """Wait for a doctor (or any doctor of a department) between two dates."""

    LONGEST = timedelta(days=90)

    doctor = forms.ModelChoiceField(
        Doctor.objects.none(),
        required=False,
        empty_label="Any doctor of the department",
        help_text="Leave on “Any doctor” to take the first free time in the department.",
    )
    department = forms.ModelChoiceField(
        Department.objects.none(),
        required=False,
        empty_label="Choose a department",
        help_text="Needed only for “Any doctor of the department”.",
    )
    first_day = forms.DateField(label="From", widget=DATE_WIDGET)
    last_day = forms.DateField(label="Until", widget=DATE_WIDGET)
    time_of_day = forms.ChoiceField(
        label="Time of day",
        choices=WaitlistEntry.TimeOfDay.choices,
        initial=WaitlistEntry.TimeOfDay.ANY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = Doctor.objects.bookable().with_related()
        self.fields["department"].queryset = Department.objects.active()

    def clean(self):
        data = super().clean()
        doctor, department = data.get("doctor"), data.get("department")
        if doctor is None and department is None and "doctor" not in self.errors:
            self.add_error("department", "Choose a doctor, or a department for any of its doctors.")
        first, last, today = data.get("first_day"), data.get("last_day"), timezone.localdate()
        if first and first < today:
            self.add_error("first_day", "Choose today or a later date.")
        if first and last and last < first:
            self.add_error("last_day", "The last day must be on or after the first.")
        elif first and last and last - first > self.LONGEST:
            self.add_error("last_day", "Wait for at most 90 days at a time.")
        return data


class CalendarFeedOptionsForm(forms.Form):
    """A doctor's choice of what their calendar feed shows of each appointment."""

    include_reason = forms.BooleanField(
        required=False,
        label="Show the reason for the visit in my calendar",
        help_text="Off: each event names the patient by initials only. Your calendar app (and "
        "anyone you share that calendar with) would see the reason.",
    )
