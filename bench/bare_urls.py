"""The bare app's two pages (see bench/bare_settings.py)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from scheduling.models import Appointment


def hello(request):
    return HttpResponse("Hello", content_type="text/plain")


def reference(request):
    rows = list(
        Appointment.objects.select_related(None)
        .only("pk", "start", "end", "status", "reason")
        .order_by("-pk")[:20]
    )
    return render(request, "reference.html", {"rows": rows})


urlpatterns = [path("hello", hello), path("reference", reference)]
