from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from scheduling.models import Appointment, WorkingHours


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    doctor = factory.SubFactory(DoctorFactory)
    weekday = 0
    start = time(9, 0)
    end = time(12, 0)


def doctor_with_hours(days=range(7), start=time(9, 0), end=time(12, 0), **doctor_kwargs):
    doctor = DoctorFactory(**doctor_kwargs)
    for day in days:
        WorkingHoursFactory(doctor=doctor, weekday=day, start=start, end=end)
    return doctor


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    doctor = factory.SubFactory(DoctorFactory)
    patient = factory.SubFactory(PatientFactory)
    # Each appointment without a start gets a day of its own at 10:00 hospital
    # time, from tomorrow on, so two of them never overlap by accident.
    start = factory.Sequence(
        lambda n: timezone.make_aware(
            datetime.combine(timezone.localdate() + timedelta(days=1 + n), time(10, 0))
        )
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))
