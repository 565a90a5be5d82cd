"""Appointment queries: which appointments hold their time, may still change, need attention,
and what list pages read of them. `Appointment.objects` is this QuerySet's manager."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

MAX_APPOINTMENT_LENGTH = timedelta(days=1)

# What list rows show and the status rules read (for_list()).
ROW = ("start", "end", "status", "reason")
DOCTOR_ROW = ("doctor__user__first_name", "doctor__user__last_name", "doctor__department__name")
PATIENT_ROW = (
    "patient__date_of_birth",
    "patient__allergies",
    "patient__user__first_name",
    "patient__user__last_name",
    "patient__user__email",
)


class AppointmentQuerySet(models.QuerySet):
    def open(self) -> AppointmentQuerySet:
        """Appointments that may still change (booked or checked in)."""
        return self.filter(status__in=self.model.OPEN_STATUSES)

    def occupying(self) -> AppointmentQuerySet:
        """Appointments that hold their time: every status but cancelled."""
        return self.filter(status__in=self.model.OCCUPYING_STATUSES)

    def with_attention(self) -> AppointmentQuerySet:
        """Annotate `on_leave` and `on_holiday`: whether the doctor is on leave during the
        appointment, or the hospital closed on its day. Read through `Appointment.attention`."""
        from scheduling.models import Holiday, Leave

        zone = timezone.get_current_timezone()
        return self.annotate(local_day=TruncDate("start", tzinfo=zone)).annotate(
            on_leave=Exists(
                Leave.objects.filter(
                    doctor=OuterRef("doctor_id"),
                    start__lt=OuterRef("end"),
                    end__gt=OuterRef("start"),
                )
            ),
            on_holiday=Exists(Holiday.objects.filter(date=OuterRef("local_day"))),
        )

    def with_successor(self) -> AppointmentQuerySet:
        """Annotate `moved_to_pk` and `moved_to_start`: the appointment this one was moved to (a
        move cancels it and books the new one with `rescheduled_from`). Read through `moved_to`."""
        successor = self.model.objects.filter(rescheduled_from=OuterRef("pk"))
        return self.annotate(
            moved_to_pk=Subquery(successor.values("pk")[:1]),
            moved_to_start=Subquery(successor.values("start")[:1]),
        )

    def needing_attention(self, now=None) -> AppointmentQuerySet:
        """Open appointments, not yet over, that fall in the doctor's leave or on a holiday."""
        return (
            self.open()
            .filter(end__gt=now or timezone.now())
            .with_attention()
            .filter(Q(on_leave=True) | Q(on_holiday=True))
        )

    def with_related(self) -> AppointmentQuerySet:
        """For lists: doctor (with user and department) and patient (with user).

        Kept to five tables: with booked_by and cancelled_by too, PostgreSQL spends longer
        planning the nine-way join than running it (with_actors() adds them where needed).
        """
        return self.select_related("doctor__user", "doctor__department", "patient__user")

    def for_list(self) -> AppointmentQuerySet:
        """with_related() narrowed to what list rows show and the status rules read.

        Loading every column of the five tables doubles the CPU a page of rows costs.
        """
        return self.with_related().only(*ROW, *DOCTOR_ROW, *PATIENT_ROW)

    def for_patient_list(self) -> AppointmentQuerySet:
        """for_list() for one patient's own rows: the doctor's side, and of the patient only
        what the status rules read (whose appointment it is)."""
        return self.select_related("doctor__user", "doctor__department", "patient").only(
            *ROW, *DOCTOR_ROW, "patient__user_id"
        )

    def for_doctor_list(self) -> AppointmentQuerySet:
        """for_list() for one doctor's rows: the caller knows the doctor (and sets it on each
        row), so only the patient is joined."""
        return self.select_related("patient__user").only(*ROW, "doctor_id", *PATIENT_ROW)

    def with_check_in(self) -> AppointmentQuerySet:
        """Annotate `checked_in_at`: when the patient was (last) checked in, from the history
        (one subquery, no query per row); None if never."""
        from scheduling.models import AppointmentEvent

        check_ins = AppointmentEvent.objects.filter(
            appointment=OuterRef("pk"), action="check_in"
        ).order_by("-at", "-pk")
        return self.annotate(checked_in_at=Subquery(check_ins.values("at")[:1]))

    def with_actors(self) -> AppointmentQuerySet:
        return self.with_related().select_related("booked_by", "cancelled_by")

    def upcoming(self, now=None) -> AppointmentQuerySet:
        now = now or timezone.now()
        # The start bound (no appointment lasts a day) lets the start index serve the query.
        return self.filter(end__gt=now, start__gt=now - MAX_APPOINTMENT_LENGTH)

    def past(self, now=None) -> AppointmentQuerySet:
        return self.filter(end__lte=now or timezone.now())

    def overlapping(self, start, end) -> AppointmentQuerySet:
        # The lower start bound (no appointment lasts a day) lets the (doctor, start) index read
        # only the range: without it every earlier appointment of the doctor was scanned.
        return self.filter(start__lt=end, end__gt=start, start__gt=start - MAX_APPOINTMENT_LENGTH)
