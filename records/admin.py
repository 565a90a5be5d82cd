from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import AuditedAdminMixin
from records.audit import audit
from records.models import AccessLogEntry, PrescriptionItem, VisitRecord


class PrescriptionInline(admin.TabularInline):
    model = PrescriptionItem
    extra = 0
    can_delete = False


@admin.register(VisitRecord)
class VisitRecordAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "author", "visit_type", "diagnosis", "created"]
    list_filter = ["visit_type", "created"]
    search_fields = ["patient__user__last_name", "patient__user__email", "diagnosis"]
    list_select_related = ["patient__user", "author", "appointment"]
    raw_id_fields = ["appointment", "patient", "author"]
    inlines = [PrescriptionInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_access(self, request, obj, action: str) -> None:
        if obj is None:
            audit(
                request, patient=None, object_type="record_list", object_id="admin", action=action
            )
        else:
            audit(
                request,
                patient=obj.patient,
                object_type="visit_record",
                object_id=obj.pk,
                action=action,
            )


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Append-only: readable, never editable or deletable, even by superusers."""

    list_display = [
        "at",
        "actor",
        "role",
        "patient",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "ip",
    ]
    list_filter = ["outcome", "action", "object_type"]
    search_fields = ["actor__email", "patient__user__email", "patient__user__last_name", "ip"]
    list_select_related = ["actor", "patient__user"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
