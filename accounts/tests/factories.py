import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import DOCTOR, FRONT_DESK, HOSPITAL_ADMIN, PATIENT

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False and self.email:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def patient_user(**kwargs) -> User:
    return UserFactory(role=PATIENT, **kwargs)


def doctor_user(**kwargs) -> User:
    return UserFactory(role=DOCTOR, **kwargs)


def admin_user(**kwargs) -> User:
    return UserFactory(role=HOSPITAL_ADMIN, **kwargs)


def front_desk_user(**kwargs) -> User:
    return UserFactory(role=FRONT_DESK, **kwargs)
