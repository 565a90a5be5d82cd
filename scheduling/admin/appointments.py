"""Appointments in Django admin: repaired through the same services as the pages."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from clinic.admin import AuditedAdminMixin
from clinic.signals import patient_data_accessed
from scheduling import services
from scheduling.admin.base import ServiceAdminMixin, ServiceFormMixin
from scheduling.models import (
    Appointment,
    AppointmentEvent,
)

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
    fields = ["at", "label", "from_status", "to_status", "actor", "reason"]
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
