from django.db import models
from django.db.models import Q
from django.utils import timezone


class Message(models.Model):
    """One side effect to perform once: an e-mail, an export, a report."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Gave up"

    key = models.CharField(max_length=200, unique=True, help_text="The send-once key.")
    handler = models.CharField(max_length=100)
    args = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not run before this.")
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The sweep's question: what is not done and due?
            models.Index(
                fields=["status", "available_at"],
                name="outbox_due",
                condition=~Q(status__in=["done", "dead"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handler} {self.args} ({self.get_status_display()})"


class Heartbeat(models.Model):
    """When a process was last seen alive: "worker" (ran the heartbeat task) or "beat" (sent
    it)."""

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
