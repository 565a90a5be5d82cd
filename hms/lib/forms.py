"""Form helpers shared by every app."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.formsets import BaseFormSet
from django.forms.utils import ErrorDict, flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class LayoutMixin:
    """A form drawn in groups of rows: `layout = [(legend, [(field, field), (field,)]), ...]`
    (legend "" for none). Fields the form does not have are left out, so one layout serves the
    variants of a form. Drawn by includes/form_fields.html; forms without a layout by {{ form }}.
    """

    layout: list[tuple[str, list[tuple[str, ...]]]] = []

    def fieldsets(self) -> list[tuple[str, list[list]]]:
        groups = []
        for legend, rows in self.layout:
            bound = [[self[n] for n in row if n in self.fields] for row in rows]
            groups.append((legend, [row for row in bound if row]))
        return groups


class FastSelect(forms.Select):
    """A <select> drawn in Python, for the selects of filter bars on hot list pages (every
    doctor of the hospital in one of them).

    Django's Select renders a template per <option>: 200 doctors cost 40-200 ms a page in the
    benchmark; format_html per option ~2 ms; this (f-strings with html.escape, which is what
    Django's escape does) ~0.8 ms, and ~0.15 ms instead of ~0.5 ms for a five-option select.
    Same markup as templates/django/forms/widgets/select.html; values and labels are escaped.
    Flat choices only (no option groups).
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        css = " ".join(filter(None, ["form-select", attrs.pop("class", "")]))
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html(
            '<select name="{}" class="{}"{}>{}</select>',
            name,
            css,
            flatatt(attrs),
            mark_safe(options),  # noqa: S308 - every value and label escaped above
        )


def show_as_typed(*forms_and_formsets) -> None:
    """Draw bound forms (and formsets) back with what was typed, without validating them.

    For a submit button that changes the form rather than saves it ("Add a line"): the user has
    not asked to save yet, so "This field is required" on fields not reached yet would be noise.
    Nothing may be saved from such a form (it has no cleaned data).
    """
    for item in forms_and_formsets:
        if isinstance(item, BaseFormSet):
            show_as_typed(*item.forms)
            item._errors = [form.errors for form in item.forms]
            item._non_form_errors = item.error_class(renderer=item.renderer)
        else:
            item._errors = ErrorDict(renderer=item.renderer)
