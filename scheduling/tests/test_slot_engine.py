from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinic.models import Doctor
from hms.lib import cached
from scheduling import slots
from scheduling.models import Appointment, Holiday, Leave, SlotOverride
from scheduling.tests.factories import AppointmentFactory, doctor_with_hours

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2027, 3, 1)
NOW = datetime(2027, 2, 28, 12, 0, tzinfo=LONDON)  # the Sunday before


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=LONDON).astimezone(UTC)


def starts(doctor, day, now=NOW):
    return [
        timezone.localtime(s.start).strftime("%H:%M")
        for s in slots.free_slots(doctor, day, day, now=now, use_cache=False)[day]
    ]


def test_working_hours_are_cut_into_slots_of_the_doctors_length():
    doctor = doctor_with_hours(start=time(9), end=time(11), slot_minutes=30)
    assert starts(doctor, MONDAY) == ["09:00", "09:30", "10:00", "10:30"]


def test_a_partial_slot_at_the_end_of_hours_is_not_offered():
    doctor = doctor_with_hours(start=time(9), end=time(10, 40), slot_minutes=20)
    assert starts(doctor, MONDAY) == ["09:00", "09:20", "09:40", "10:00", "10:20"]


def test_several_intervals_a_day_and_days_without_hours():
    doctor = doctor_with_hours(days=[0], start=time(9), end=time(10))
    doctor.working_hours.create(weekday=0, start=time(14), end=time(15))
    assert starts(doctor, MONDAY) == ["09:00", "09:30", "14:00", "14:30"]
    assert starts(doctor, MONDAY + timedelta(days=1)) == []


def test_holiday_leaves_no_slot_that_day():
    doctor = doctor_with_hours()
    Holiday.objects.create(date=MONDAY, name="Founders' Day")
    assert starts(doctor, MONDAY) == []
    assert starts(doctor, MONDAY + timedelta(days=1)) != []


def test_leave_removes_the_slots_it_covers():
    doctor = doctor_with_hours(start=time(9), end=time(12))
    Leave.objects.create(doctor=doctor, start=local(MONDAY, 9, 45), end=local(MONDAY, 11))
    assert starts(doctor, MONDAY) == ["09:00", "11:00", "11:30"]


def test_overrides_switch_single_slots_off_and_on():
    doctor = doctor_with_hours(start=time(9), end=time(10))
    SlotOverride.objects.create(doctor=doctor, start=local(MONDAY, 9), available=False)
    SlotOverride.objects.create(doctor=doctor, start=local(MONDAY, 17), available=True)
    assert starts(doctor, MONDAY) == ["09:30", "17:00"]


def test_active_appointments_take_slots_and_cancelled_ones_free_them():
    doctor = doctor_with_hours(start=time(9), end=time(10))
    AppointmentFactory(doctor=doctor, start=local(MONDAY, 9))
    AppointmentFactory(
        doctor=doctor, start=local(MONDAY, 9, 30), status=Appointment.Status.CANCELLED
    )
    assert starts(doctor, MONDAY) == ["09:30"]


def test_past_slots_and_slots_inside_the_minimum_notice_are_never_offered(settings):
    settings.HMS_BOOKING_MIN_NOTICE_MINUTES = 60
    doctor = doctor_with_hours(start=time(9), end=time(12))
    now = datetime.combine(MONDAY, time(9, 40), tzinfo=LONDON)
    assert starts(doctor, MONDAY, now=now) == ["11:00", "11:30"]


def test_nothing_beyond_the_booking_horizon(settings):
    settings.HMS_BOOKING_HORIZON_DAYS = 3
    doctor = doctor_with_hours()
    result = slots.free_slots(doctor, MONDAY, MONDAY + timedelta(days=10), now=NOW, use_cache=False)
    assert max(result) == NOW.date() + timedelta(days=3)


def test_spring_forward_keeps_wall_clock_times_and_skips_the_missing_hour():
    # 28 March 2027: clocks go from 01:00 GMT to 02:00 BST.
    day = date(2027, 3, 28)
    doctor = doctor_with_hours(days=[6], start=time(0), end=time(3), slot_minutes=30)
    doctor.working_hours.create(weekday=6, start=time(9), end=time(10))
    now = datetime(2027, 3, 20, 12, 0, tzinfo=LONDON)
    got = slots.free_slots(doctor, day, day, now=now, use_cache=False)[day]
    assert [timezone.localtime(s.start).strftime("%H:%M") for s in got] == [
        "00:00",
        "00:30",
        "02:00",
        "02:30",
        "09:00",
        "09:30",
    ]
    nine = next(s for s in got if timezone.localtime(s.start).hour == 9)
    assert nine.start == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_fall_back_offers_the_repeated_hour_once():
    # 31 October 2027: clocks go from 02:00 BST back to 01:00 GMT.
    day = date(2027, 10, 31)
    doctor = doctor_with_hours(days=[6], start=time(0), end=time(3), slot_minutes=30)
    doctor.working_hours.create(weekday=6, start=time(9), end=time(10))
    now = datetime(2027, 10, 25, 12, 0, tzinfo=LONDON)
    got = slots.free_slots(doctor, day, day, now=now, use_cache=False)[day]
    utc_starts = [s.start for s in got]
    assert len(utc_starts) == len(set(utc_starts)) == 8
    nine = next(s for s in got if timezone.localtime(s.start).hour == 9)
    assert nine.start == datetime(2027, 10, 31, 9, 0, tzinfo=UTC)  # 09:00 GMT


def test_an_appointment_booked_before_a_dst_change_stays_at_its_time():
    doctor = doctor_with_hours(days=[0], start=time(9), end=time(10))
    day = date(2027, 4, 5)  # after spring forward
    appointment = AppointmentFactory(doctor=doctor, start=local(day, 9))
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.start).strftime("%H:%M") == "09:00"


def test_query_count_is_constant_per_doctor_week(django_assert_num_queries):
    doctor = doctor_with_hours(start=time(8), end=time(18))
    week = (MONDAY, MONDAY + timedelta(days=6))
    with django_assert_num_queries(5):
        slots.free_slots(doctor, *week, now=NOW, use_cache=False)
    for i in range(40):
        AppointmentFactory(
            doctor=doctor,
            start=local(MONDAY + timedelta(days=i % 7), 8) + timedelta(minutes=30 * (i // 7)),
        )
        Leave.objects.create(doctor=doctor, start=local(MONDAY, 17), end=local(MONDAY, 18))
    with django_assert_num_queries(5):
        slots.free_slots(doctor, *week, now=NOW, use_cache=False)


def test_cached_slots_need_no_queries_and_bust_on_change(django_assert_num_queries):
    doctor = doctor_with_hours(start=time(9), end=time(10))
    doctor = Doctor.objects.get(pk=doctor.pk)
    slots.free_slots(doctor, MONDAY, MONDAY, now=NOW)
    with django_assert_num_queries(0):
        slots.free_slots(doctor, MONDAY, MONDAY, now=NOW)
    Leave.objects.create(doctor=doctor, start=local(MONDAY, 9), end=local(MONDAY, 10))
    cached.invalidate(slots.doctor_family(doctor.pk), now=True)
    assert slots.free_slots(doctor, MONDAY, MONDAY, now=NOW)[MONDAY] == []
