"""Django admin for superusers repairing schedules.

Every change made here goes through the same services as the HMS pages: a booking must be an
offered slot, a move or a status change follows the status machine, nothing can overlap, a
cancellation notifies the patient, and each change is an appointment event with the superuser as
actor. Reads of appointments are in the access log, like the other admin pages with patient data.

The admin forms call the service in `clean()`: the service is both the validation (its refusal is
shown on the form) and the write, and `save_model` has nothing left to do. `ServiceAdminMixin`
runs each POST in one transaction that is rolled back unless the page answers with a redirect, so
a write never stays behind a page that shows an error (an inline formset that failed after the
form, say).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import AuditedAdminMixin
from clinic.signals import patient_data_accessed
from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentEvent,
    Holiday,
    Leave,
    SlotOverride,
    WorkingHours,
)


class ServiceFormMixin:
    """A ModelForm whose clean() performs the write through a service (see the module doc)."""

    by = None  # the superuser, set by the admin's get_form()
    result = None

    def _post_clean(self) -> None:
        """No model validation on top: the service validated and saved (checking the instance
        against the constraints now would find the row the service just wrote)."""

    def _apply(self, write) -> None:
        try:
            self.result = write()
        except services.SchedulingError as exc:
            raise ValidationError(str(exc)) from exc

    def save_m2m(self) -> None:
        """Nothing: these models have no many-to-many fields, and the service saved."""


class ServiceAdminMixin:
    """save_model and save_related for forms that saved through a service in clean()."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if request.method == "POST" and response.status_code != 302:
                transaction.set_rollback(True)  # the page shows an error: nothing is kept
        return response

    def response_change(self, request, obj):
        # A move replaces the appointment: "Save and continue editing" opens the new one.
        if "_continue" in request.POST and str(obj.pk) != request.resolver_match.kwargs.get(
            "object_id"
        ):
            opts = obj._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().response_change(request, obj)

    def save_form(self, request, form, change):
        return form.result if form.result is not None else form.instance

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in form.clean()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- Appointments ---------------------------------------------------------------------------


class AppointmentAddForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["doctor", "patient", "start", "reason"]
        help_texts = {"start": "Hospital time. Must be a slot the doctor offers now."}

    def clean(self):
        data = super().clean()
        if not self.errors:
            self._apply(
                lambda: services.appointment_book(
                    patient=data["patient"],
                    doctor=data["doctor"],
                    start=data["start"],
                    reason=data.get("reason", ""),
                    by=self.by,
                )
            )
        return data


class AppointmentChangeForm(ServiceFormMixin, forms.ModelForm):
    ACTIONS = [
        ("", "No status change"),
        ("check_in", "Check in"),
        ("no_show", "Mark no-show"),
        ("cancel", "Cancel (the patient is notified)"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, required=False, label="Status change")
    note = forms.CharField(
        max_length=300, required=False, label="Reason for the change", help_text="Kept in history."
    )

    class Meta:
        model = Appointment
        fields = ["doctor", "start"]
        help_texts = {
            "start": "Changing the time or the doctor moves the appointment (a new appointment "
            "replaces this one, which is cancelled as rescheduled)."
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        moved = {"start", "doctor"} & set(self.changed_data)
        if moved and data.get("action"):
            raise ValidationError("Move the appointment or change its status, not both at once.")
        old = Appointment.objects.get(pk=self.instance.pk)
        if moved:
            self._apply(
                lambda: services.appointment_reschedule(
                    appointment=old,
                    start=data["start"],
                    doctor=data["doctor"],
                    by=self.by,
                    reason=data["note"],
                )
            )
        elif data.get("action"):
            self._apply(
                lambda: services.appointment_transition(
                    appointment=old, action=data["action"], by=self.by, reason=data["note"]
                )
            )
        return data


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("1", "Doctor on leave or hospital closed")]

    def queryset(self, request, queryset):
        return queryset.needing_attention() if self.value() == "1" else queryset


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["start", "patient", "doctor", "status", "attention_flag"]
    list_filter = [NeedsAttentionFilter, "status", "start", "doctor__department"]
    ordering = ["-start"]
    date_hierarchy = "start"
    search_fields = [
        "patient__user__first_name",
        "patient__user__last_name",
        "patient__user__email",
        "doctor__user__first_name",
        "doctor__user__last_name",
        "doctor__user__email",
    ]
    list_select_related = ["patient__user", "doctor__user"]
    autocomplete_fields = ["doctor", "patient"]
    readonly_fields = [
        "patient",
        "status",
        "attention_flag",
        "end",
        "reason",
        "booked_by",
        "cancelled_by",
        "cancelled_at",
        "cancel_reason",
        "rescheduled_from",
        "created",
        "updated",
    ]
    inlines = [AppointmentEventInline]
    actions = ["cancel_selected"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AppointmentChangeForm if obj else AppointmentAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["doctor", "patient", "start", "reason"]
        return ["doctor", "start", "action", "note", *self.readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).with_attention()

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the appointment and its history stay

    @admin.display(description="Needs attention")
    def attention_flag(self, obj) -> str:
        return {"leave": "Doctor on leave", "holiday": "Hospital closed"}.get(obj.attention, "")

    @admin.action(description="Cancel the selected appointments (patients are notified)")
    def cancel_selected(self, request, queryset):
        chosen = list(queryset.select_related("patient"))
        done = services.appointments_cancel_many(
            appointments=chosen, by=request.user, reason="Cancelled by the hospital"
        )
        for appointment in chosen:
            self.audit_access(request, appointment, "change")
        noun = "appointment was" if done == 1 else "appointments were"
        self.message_user(request, f"{done} {noun} cancelled.", messages.SUCCESS)

    def audit_access(self, request, obj, action: str) -> None:
        patient_data_accessed.send(
            sender=Appointment,
            request=request,
            patient=obj.patient if obj else None,
            action=action,
            obj=obj,
            object_type="appointment",
        )


# --- Availability -------------------------------------------------------------------------


class WorkingHoursForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["doctor", "weekday", "start", "end"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk and data["doctor"] != self.instance.doctor:
            raise ValidationError("Add the interval to the other doctor instead.")
        self._apply(
            lambda: services.working_hours_edit_one(
                doctor=data["doctor"],
                by=self.by,
                pk=self.instance.pk,
                interval=(data["weekday"], data["start"], data["end"]),
            )
        )
        return data


@admin.register(WorkingHours)
class WorkingHoursAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    form = WorkingHoursForm
    list_display = ["doctor", "weekday", "start", "end"]
    list_filter = ["weekday"]
    search_fields = ["doctor__user__last_name", "doctor__user__email"]
    list_select_related = ["doctor__user"]
    autocomplete_fields = ["doctor"]

    def revert_disabled(self, request, obj=None):
        return True  # versions are for reading; edit the interval to change it

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Edit the interval instead of reverting a version.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        services.working_hours_edit_one(
            doctor=obj.doctor, by=request.user, pk=obj.pk, interval=None
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("doctor"):
            self.delete_model(request, obj)


class LeaveForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Leave
        fields = ["doctor", "start", "end", "reason"]
        help_texts = {"start": "Appointments in this time stay booked and are flagged."}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk:
            raise ValidationError("Leave cannot be edited: remove it and add the new dates.")
        self._apply(
            lambda: services.leave_add(
                doctor=data["doctor"],
                start=data["start"],
                end=data["end"],
                reason=data.get("reason", ""),
                by=self.by,
            )[0]
        )
        return data


@admin.register(Leave)
class LeaveAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = LeaveForm
    list_display = ["doctor", "start", "end", "reason"]
    search_fields = ["doctor__user__last_name", "doctor__user__email", "reason"]
    list_select_related = ["doctor__user"]
    autocomplete_fields = ["doctor"]
    date_hierarchy = "start"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def delete_model(self, request, obj):
        services.leave_delete(leave=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.leave_delete(leave=obj)


class HolidayForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        help_texts = {"date": "Appointments on this day stay booked and are flagged."}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk:
            raise ValidationError("Holidays cannot be edited: remove it and add the new date.")
        self._apply(
            lambda: services.holiday_add(day=data["date"], name=data["name"], by=self.by)[0]
        )
        return data


@admin.register(Holiday)
class HolidayAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = HolidayForm
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def delete_model(self, request, obj):
        services.holiday_delete(holiday=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.holiday_delete(holiday=obj)


@admin.register(SlotOverride)
class SlotOverrideAdmin(admin.ModelAdmin):
    """Read and remove; switch slots on or off on the doctor's slot grid (it knows the hours)."""

    list_display = ["doctor", "start", "available"]
    list_filter = ["available"]
    search_fields = ["doctor__user__last_name", "doctor__user__email"]
    list_select_related = ["doctor__user"]
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.override_clear(override=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.override_clear(override=obj)
