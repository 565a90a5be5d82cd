import pytest
from django.urls import reverse

from clinic.models import Department, Doctor
from clinic.tests.factories import DepartmentFactory, DoctorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, hospital_admin):
    client.force_login(hospital_admin)
    return client


@pytest.mark.django_db(transaction=True)  # real commits: the list cache is busted on commit
def test_admin_creates_a_department_and_sees_it_at_once(staff):
    staff.get(reverse("clinic:department-list"))  # warm the cache

    response = staff.post(
        reverse("clinic:department-create"),
        {"name": "  Oncology ", "description": "Cancer care", "is_active": "on"},
        follow=True,
    )

    assert Department.objects.get().name == "Oncology"
    assert "Oncology" in [row["name"] for row in response.context["rows"]]
    assert "Department “Oncology” created." in response.content.decode()


def test_department_names_are_unique_whatever_the_case(staff):
    DepartmentFactory(name="Cardiology")

    response = staff.post(reverse("clinic:department-create"), {"name": "cardiology"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "A department with this name already exists."
    ]
    assert Department.objects.count() == 1


def test_list_shows_doctor_counts_excluding_removed(staff):
    from django.utils import timezone

    cardio = DepartmentFactory(name="Cardiology")
    DoctorFactory.create_batch(2, department=cardio)
    DoctorFactory(department=cardio, removed_at=timezone.now())

    rows = staff.get(reverse("clinic:department-list")).context["rows"]

    assert [(r["name"], r["doctor_count"]) for r in rows] == [("Cardiology", 2)]


def test_a_department_with_doctors_cannot_be_deleted_and_deactivation_is_offered(staff):
    cardio = DepartmentFactory(name="Cardiology")
    DoctorFactory(department=cardio)

    page = staff.get(reverse("clinic:department-delete", args=[cardio.pk]))
    assert "cannot be deleted" in page.content.decode()
    assert "Deactivate Cardiology" in page.content.decode()

    response = staff.post(reverse("clinic:department-delete", args=[cardio.pk]), follow=True)

    assert Department.objects.filter(pk=cardio.pk).exists()
    assert "Deactivate it instead" in response.content.decode()


def test_an_unused_department_is_deleted(staff):
    empty = DepartmentFactory(name="Unused")

    staff.post(reverse("clinic:department-delete", args=[empty.pk]))

    assert not Department.objects.filter(pk=empty.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deactivating_hides_the_department_and_its_doctors_from_the_directory(staff, patient):
    cardio = DepartmentFactory(name="Cardiology")
    DoctorFactory(department=cardio)
    directory = reverse("clinic:directory")
    assert staff.get(directory).context["page"].paginator.count == 1

    staff.post(reverse("clinic:department-toggle", args=[cardio.pk]))

    cardio.refresh_from_db()
    assert not cardio.is_active
    staff.force_login(patient)
    response = staff.get(directory)
    assert response.context["page"].paginator.count == 0
    assert response.context["departments"] == []


def test_department_pages_refuse_non_admins(client, doctor):
    dept = DepartmentFactory()
    client.force_login(doctor)
    assert client.get(reverse("clinic:department-list")).status_code == 403
    assert client.post(reverse("clinic:department-toggle", args=[dept.pk])).status_code == 403
    dept.refresh_from_db()
    assert dept.is_active


def test_deactivating_a_department_asks_first_and_get_changes_nothing(staff):
    cardio = DepartmentFactory(name="Cardiology")
    url = reverse("clinic:department-toggle", args=[cardio.pk])
    assert f'href="{url}"' in staff.get(reverse("clinic:department-list")).content.decode()

    page = staff.get(url).content.decode()

    assert "Deactivate Cardiology?" in page
    assert "It disappears from the directory and from booking" in page
    cardio.refresh_from_db()
    assert cardio.is_active
    staff.post(url)
    cardio.refresh_from_db()
    assert not cardio.is_active


def test_staff_list_and_directory_count_a_departments_doctors_the_same_way(staff, patient):
    neuro = DepartmentFactory(name="Neurology")
    DoctorFactory(department=neuro)
    DoctorFactory(department=neuro, status=Doctor.Status.PENDING)

    staff_rows = staff.get(reverse("clinic:department-list"))
    staff.force_login(patient)
    directory = staff.get(reverse("clinic:directory")).context["departments"]

    assert [(r["name"], r["doctor_count"]) for r in staff_rows.context["rows"]] == [
        ("Neurology", 1)
    ]
    assert [(d["name"], d["doctor_count"]) for d in directory] == [("Neurology", 1)]
    assert "+1 pending or blocked" in staff_rows.content.decode()
