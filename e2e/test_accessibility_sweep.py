"""Every main page of each role passes axe-core (no serious or critical violations).

The journeys check sign-in, sign-up, the slot picker and history on the way; this sweeps the
rest of what each role uses every day, on the demo data set.
"""

import pytest
from django.core.management import call_command

from accounts.seed import DEMO_PASSWORD
from clinic.models import Doctor, Patient
from e2e.helpers import assert_no_problems, sign_in

pytestmark = pytest.mark.postgres


def pages_by_role() -> dict[str, list[str]]:
    patient = Patient.objects.get(user__email="patient@example.com").pk
    doctor = Doctor.objects.get(user__email="doctor@example.com").pk
    return {
        "admin@example.com": [
            "/dashboard/hospital/",
            "/scheduling/appointments/?when=upcoming",
            "/clinic/staff/doctors/",
            f"/clinic/staff/doctors/{doctor}/",
            "/clinic/staff/patients/",
            f"/clinic/staff/patients/{patient}/",
            "/clinic/departments/",
            "/records/all/",
            "/records/access-log/",
            "/reports/analytics/",
            "/reports/exports/",
            "/scheduling/holidays/",
        ],
        "doctor@example.com": [
            "/dashboard/doctor/",
            "/scheduling/today/",
            "/scheduling/week/",
            "/scheduling/availability/",
            "/scheduling/availability/slots/",
            "/records/my-patients/",
            "/clinic/profile/",
        ],
        "patient@example.com": [
            "/dashboard/patient/",
            "/clinic/doctors/",
            "/scheduling/my/",
            "/clinic/profile/",
            "/records/access-log/",
            "/accounts/2fa/",
            "/accounts/password/change/",
        ],
    }


def test_every_main_page_of_each_role_passes_axe(new_page, axe, hospital_late_morning):
    call_command("seed_demo")
    for email, urls in pages_by_role().items():
        page = new_page()
        sign_in(page, email, DEMO_PASSWORD)
        for url in urls:
            page.goto(url)
            axe(page)
        assert_no_problems(page)
