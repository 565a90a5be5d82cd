"""Bust cached statistics when the data behind them changes (after commit)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from clinic.models import Patient
from hms.lib import cached
from records.models import VisitRecord
from reports.analytics import STATISTICS
from scheduling.models import Appointment


@receiver([post_save, post_delete], sender=Appointment, dispatch_uid="reports-stats-appt")
@receiver([post_save, post_delete], sender=Patient, dispatch_uid="reports-stats-patient")
@receiver([post_save, post_delete], sender=VisitRecord, dispatch_uid="reports-stats-record")
def stats_changed(sender, **kwargs) -> None:
    cached.invalidate(STATISTICS)
