from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe


@require_safe
@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("reports:dashboard")
    return render(request, "home.html")


@login_not_required
def bench_hello(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: full middleware stack, no database, no template."""
    if not settings.BENCH_MODE:
        raise Http404
    return HttpResponse("hello", content_type="text/plain")
