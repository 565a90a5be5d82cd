import factory

from records.models import PrescriptionItem, VisitRecord
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


class VisitRecordFactory(factory.django.DjangoModelFactory):
    """A visit record written straight to the table (no service, no audit row).

    The appointment defaults to a completed one; the patient and author follow
    it, so ``VisitRecordFactory(appointment=a)`` is usually all a test needs.
    """

    class Meta:
        model = VisitRecord

    appointment = factory.SubFactory(AppointmentFactory, status=Appointment.Status.COMPLETED)
    patient = factory.SelfAttribute("appointment.patient")
    author = factory.SelfAttribute("appointment.doctor.user")
    complaint = "Cough"
    diagnosis = "Bronchitis"


class PrescriptionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrescriptionItem

    record = factory.SubFactory(VisitRecordFactory)
    medicine = "Paracetamol"
    dose = "500 mg"
    frequency = "twice a day"
