from datetime import date
from decimal import Decimal

import factory

from accounts.roles import DOCTOR, PATIENT
from accounts.tests.factories import UserFactory
from clinic.models import Department, Doctor, Patient


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Department {n}")
    description = "Test department"


class DoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doctor

    user = factory.SubFactory(UserFactory, role=DOCTOR)
    department = factory.SubFactory(DepartmentFactory)
    qualifications = "MBBS, MD"
    experience_years = 10
    status = Doctor.Status.ACTIVE
    consultation_fee = Decimal("50.00")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory, role=PATIENT)
    gender = Patient.Gender.FEMALE
    date_of_birth = date(1985, 6, 15)
    phone = "+447911654321"
