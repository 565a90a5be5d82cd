from django.conf import settings


def hospital(request):
    """The hospital's name and contact details, for the page header, footer and e-mails."""
    return {
        "HOSPITAL_NAME": settings.HOSPITAL_NAME,
        "HOSPITAL_ADDRESS": settings.HOSPITAL_ADDRESS,
        "HOSPITAL_PHONE": settings.HOSPITAL_PHONE,
        "HOSPITAL_TIME_ZONE": settings.TIME_ZONE,
    }
