"""Django admin for superusers. Staff work happens in the HMS pages; this is for support."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Department, Doctor, Patient
from clinic.selectors import DIRECTORY
from clinic.signals import patient_data_accessed
from hms.lib import cached


class AuditedAdminMixin:
    """Superusers reading or changing patient data in Django admin leave access-log entries too.

    Subclasses say how to log (`audit_access(request, obj, action)`, obj None for the list).
    """

    def audit_access(self, request, obj, action: str) -> None:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete box of another admin page (e.g. an appointment's patient) lists
        # names too: a search there is a read of the list.
        results = super().get_search_results(request, queryset, search_term)
        if request.path == reverse("admin:autocomplete"):
            self.audit_access(request, None, "search")
        return results

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            self.audit_access(request, None, "view")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._audit_object(request, object_id, response)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_object(request, object_id, response)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's page of one earlier version (a POST there reverts to it).
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._audit_object(request, object_id, response)
        return response

    def _audit_object(self, request, object_id, response) -> None:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or response.status_code not in (200, 302):
            return
        changed = request.method == "POST" and response.status_code == 302
        self.audit_access(request, obj, "change" if changed else "view")


class BustDirectoryCacheMixin:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cached.invalidate(DIRECTORY)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        cached.invalidate(DIRECTORY)


@admin.register(Department)
class DepartmentAdmin(BustDirectoryCacheMixin, admin.ModelAdmin):
    list_display = ["name", "is_active", "doctor_count", "waiting_count", "updated"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_doctor_counts()

    @admin.display(ordering="doctor_count", description="Doctors")
    def doctor_count(self, obj):
        return obj.doctor_count

    @admin.display(ordering="waiting_count", description="Pending or blocked")
    def waiting_count(self, obj):
        return obj.waiting_count


@admin.register(Doctor)
class DoctorAdmin(BustDirectoryCacheMixin, admin.ModelAdmin):
    list_display = ["__str__", "user_email", "department", "status", "removed_at", "updated"]
    list_filter = ["status", "department", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email", "specialization"]
    list_select_related = ["user", "department"]
    raw_id_fields = ["user"]
    readonly_fields = ["removed_at", "created", "updated"]

    @admin.display(ordering="user__email", description="E-mail")
    def user_email(self, obj):
        return obj.user.email

    def has_delete_permission(self, request, obj=None):
        # Medical data is never deleted: remove doctors from the HMS pages (soft delete).
        return False


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "user_email", "gender", "date_of_birth", "phone", "is_active"]
    list_filter = ["is_active", "gender", "blood_group", "has_disability"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "phone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created", "updated"]

    @admin.display(ordering="user__email", description="E-mail")
    def user_email(self, obj):
        return obj.user.email

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_access(self, request, obj, action: str) -> None:
        # clinic cannot import records (apps depend downward); records listens to this signal.
        patient_data_accessed.send(
            sender=Patient, request=request, patient=obj, action=action, obj=obj
        )
