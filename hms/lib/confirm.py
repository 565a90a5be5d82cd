"""The one way a destructive action asks first: GET shows a confirmation page (what will happen,
a POST button, a way back); only the POST does it. Works without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Line:
    """One line of a confirmation page, optionally ending in a link ("… from the appointment
    list" → the list itself)."""

    text: str
    url: str = ""
    link_text: str = ""


def _lines(values: Sequence[str | Line]) -> tuple[Line, ...]:
    return tuple(v if isinstance(v, Line) else Line(str(v)) for v in values)


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says and sends.

    `question` is the one sentence a person answers ("Remove the holiday on Thu 25 Dec?"),
    `consequences` what follows from it, `items` the rows it touches (one line each), `hidden`
    the values the POST carries, `form` an optional form to fill in (e.g. a reason)."""

    title: str
    question: str
    button: str
    back: str
    back_label: str = "Back"
    consequences: Sequence[str | Line] = ()
    items: Sequence[str | Line] = ()
    hidden: Mapping[str, Sequence[str]] = field(default_factory=dict)
    form: Form | None = None
    action: str = ""  # where the POST goes; "" is this page
    button_class: str = "btn-danger"
    keep_label: str = "Cancel"
    can_confirm: bool = True  # False: the page only explains and offers the way back
    alert: str = ""  # a warning shown above the question (e.g. why it cannot be done)

    def __post_init__(self) -> None:
        object.__setattr__(self, "consequences", _lines(self.consequences))
        object.__setattr__(self, "items", _lines(self.items))


def confirm_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """Render the shared confirmation page (templates/includes/confirm_page.html)."""
    return render(request, "includes/confirm_page.html", {"confirm": confirmation})
