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
            if not request.user.has_perm("clinic.change_doctor"):
                # The front desk has no staff doctor list: today's queue links each schedule.
                messages.info(request, "Choose a doctor first: the queue links their schedule.")
                return redirect("scheduling:queue")
            messages.info(
                request,
                "Choose a doctor first: their page links to their schedule and availability.",
            )
            return redirect("clinic:doctor-list")
        return None
