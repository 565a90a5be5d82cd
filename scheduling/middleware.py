from django.contrib import messages
from django.shortcuts import redirect

from scheduling.access import DoctorNotChosen


class DoctorNotChosenMiddleware:
    """Staff opening a doctor's schedule page without ?doctor= are sent to pick a doctor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DoctorNotChosen):
            messages.info(
                request,
                "Choose a doctor first: their page links to their schedule and availability.",
            )
            return redirect("clinic:doctor-list")
        return None
