"""Formsets that never delete by omission.

A model formset edits a list of existing rows plus new ones. Django trusts the management form:
a POST that claims fewer forms than there are rows (TOTAL_FORMS=0, a negative number, a stale
page) simply says nothing about the missing rows, and a service that makes the rows "match what
was sent" then deletes them. Every formset in HMS uses `CompleteFormSetMixin`: each existing row
must come back in the POST, once, either kept or with its delete box ticked; anything else is a
form error and nothing is saved. Services take the rows to delete explicitly (`deleted_pks`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

INCOMPLETE = (
    "This form arrived incomplete or changed meanwhile (some existing lines were missing), so "
    "nothing was saved. Please reload the page and try again."
)


class CompleteFormSetMixin:
    """For BaseModelFormSet / BaseInlineFormSet subclasses (see the module docstring)."""

    def clean(self) -> None:
        super().clean()
        management = self.management_form.cleaned_data
        total, initial = management.get("TOTAL_FORMS", 0), management.get("INITIAL_FORMS", 0)
        existing = {obj.pk for obj in self.get_queryset()}
        sent = [form.instance.pk for form in self.initial_forms]
        if (
            total < 0
            or total < initial
            or initial != len(existing)
            or len(sent) != len(set(sent))
            or set(sent) != existing
        ):
            raise ValidationError(INCOMPLETE, code="incomplete")

    def kept_forms(self) -> list[forms.Form]:
        """Forms with data to save (existing rows not ticked for deletion, filled-in new ones)."""
        return [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]

    def deleted_pks(self) -> list[int]:
        """Existing rows whose delete box was ticked."""
        return [form.instance.pk for form in self.initial_forms if self._should_delete_form(form)]


def with_blank_form(data: QueryDict, prefix: str, *, limit: int) -> QueryDict:
    """A copy of a formset's POST with one more (blank) form: what an "Add a line" submit button
    does without JavaScript. Unchanged when `limit` forms are there already or TOTAL_FORMS is not
    a count (the formset's own checks then say so, and nothing is saved by adding a line)."""
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        return data
    if not 0 <= total < limit:
        return data
    data = data.copy()
    data[key] = str(total + 1)
    return data
