from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from hms.lib.outbox import core
from hms.lib.outbox.models import Heartbeat, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only, with one repair: run a failed or stuck message again."""

    list_display = ["created", "handler", "key", "status", "attempts", "finished_at", "last_error"]
    list_filter = ["status", "handler"]
    search_fields = ["key", "last_error"]
    date_hierarchy = "created"
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Run the selected messages again now (not done or running ones)")
    def retry_now(self, request, queryset):
        waiting = [Message.Status.PENDING, Message.Status.FAILED, Message.Status.DEAD]
        ids = list(queryset.filter(status__in=waiting).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.PENDING,
            attempts=0,
            published_at=None,
            available_at=timezone.now(),
            created=timezone.now(),  # a new day of retries
        )
        transaction.on_commit(lambda: [core.publish(pk) for pk in ids])
        self.message_user(request, f"{len(ids)} message(s) queued again.", messages.SUCCESS)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
