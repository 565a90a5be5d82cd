"""Filters of the records lists (django-filter): the same query parameters as the pages link."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from clinic import selectors
from hms.lib.forms import FastSelect
from records.models import AccessLogEntry, VisitRecord


def _words(queryset, fields: tuple[str, ...], value: str):
    condition = Q()
    for word in value.split()[:5]:
        condition &= Q(**{f"{fields[0]}__icontains": word}) | _any(fields[1:], word)
    return queryset.filter(condition)


def _any(fields: tuple[str, ...], word: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


class RecordFilter(django_filters.FilterSet):
    """Staff oversight of every record: by patient or diagnosis, by doctor."""

    q = django_filters.CharFilter(
        label="Search records",
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Patient or diagnosis"}),
    )
    doctor = django_filters.ChoiceFilter(
        field_name="appointment__doctor", label="Doctor", empty_label="All doctors",
        widget=FastSelect,
    )  # fmt: skip

    class Meta:
        model = VisitRecord
        fields = ["q", "doctor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["doctor"].choices = selectors.doctor_choices(removed=True)

    def filter_q(self, queryset, name, value):
        return _words(
            queryset, ("patient__user__last_name", "patient__user__email", "diagnosis"), value
        )


class AccessLogFilter(django_filters.FilterSet):
    """Staff search of the access log: by user or patient, by outcome."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "User or patient"}),
    )
    outcome = django_filters.ChoiceFilter(
        choices=AccessLogEntry.Outcome.choices, empty_label="Any outcome"
    )

    class Meta:
        model = AccessLogEntry
        fields = ["q", "outcome"]

    def filter_q(self, queryset, name, value):
        return _words(
            queryset,
            ("actor__email", "patient__user__email", "patient__user__last_name"),
            value,
        )
