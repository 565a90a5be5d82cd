"""Project-wide request and response rules (listed in settings.MIDDLEWARE)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers

from hms.lib.text import CONTROL_CHARACTERS, strip_control_characters


class CleanQueryStringMiddleware:
    """Query-string values lose control characters (search boxes, filters): `?q=a%00b` searches
    for "ab" instead of reaching the database with a NUL. Forms refuse them in POSTs
    (hms.lib.text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("QUERY_STRING"):
            request.GET = _cleaned(request.GET)
        return self.get_response(request)


def _cleaned(query: QueryDict) -> QueryDict:
    if not any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in query.lists()
    ):
        return query
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(
            strip_control_characters(key), [strip_control_characters(v) for v in values]
        )
    cleaned._mutable = False
    return cleaned


class PrivatePagesMiddleware:
    """Pages shown to a signed-in user carry their data: no browser or proxy may store them
    (`Cache-Control: no-store, private`), unless the view said otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response
