from django.conf import settings


def hospital(request):
    """The hospital's name and contact details, for the page header, footer and e-mails."""
    return {
        "HOSPITAL_NAME": settings.HOSPITAL_NAME,
        "HOSPITAL_ADDRESS": settings.HOSPITAL_ADDRESS,
        "HOSPITAL_PHONE": settings.HOSPITAL_PHONE,
        "HOSPITAL_TIME_ZONE": settings.TIME_ZONE,
    }


# The menu entry each page belongs to, by URL name ("namespace:name"); a whole namespace by
# "namespace:*". The navigation (includes/nav.html) marks that entry active.
SECTIONS = {
    "reports:*": "dashboard",
    "reports:analytics": "dashboard",
    "scheduling:appointment-list": "appointments",
    "scheduling:appointment-detail": "appointments",
    "scheduling:appointment-cancel": "appointments",
    "scheduling:reschedule": "appointments",
    "scheduling:my-appointments": "my_appointments",
    "scheduling:queue": "queue",
    "scheduling:queue-book": "queue",
    "scheduling:holidays": "holidays",
    "scheduling:doctor-day": "today",
    "scheduling:doctor-week": "week",
    "scheduling:availability": "availability",
    "scheduling:leave-add": "availability",
    "scheduling:slot-grid": "availability",
    "scheduling:book": "directory",
    "clinic:directory": "directory",
    "clinic:directory-doctor": "directory",
    "clinic:doctor-list": "staff_doctors",
    "clinic:doctor-detail": "staff_doctors",
    "clinic:doctor-create": "staff_doctors",
    "clinic:doctor-edit": "staff_doctors",
    "clinic:doctor-action": "staff_doctors",
    "clinic:patient-list": "staff_patients",
    "clinic:patient-detail": "staff_patients",
    "clinic:patient-create": "staff_patients",
    "clinic:patient-edit": "staff_patients",
    "clinic:department-list": "departments",
    "clinic:department-create": "departments",
    "clinic:department-edit": "departments",
    "clinic:department-delete": "departments",
    "records:*": "records",
}


def navigation(request):
    """`nav_section`: the menu entry the current page belongs to ("" for none)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": ""}
    name = match.view_name
    section = SECTIONS.get(name) or SECTIONS.get(f"{match.namespace}:*", "")
    return {"nav_section": section}
