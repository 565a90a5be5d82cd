"""Weekly hours, leave, holidays and slot overrides in Django admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from scheduling import services
from scheduling.admin.base import ServiceAdminMixin, ServiceFormMixin
from scheduling.models import (
    Holiday,
    Leave,
    SlotOverride,
    WorkingHours,
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
