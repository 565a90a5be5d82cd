from django.contrib import admin

from reports.models import SentNotification


@admin.register(SentNotification)
class SentNotificationAdmin(admin.ModelAdmin):
    """The send-once ledger: what went out, what failed and why. Read-only."""

    list_display = [
        "created",
        "kind",
        "status",
        "attempts",
        "appointment",
        "doctor",
        "month",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["appointment__patient__user__email", "doctor__user__email", "last_error"]
    list_select_related = [
        "appointment__patient__user",
        "appointment__doctor__user",
        "doctor__user",
    ]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
