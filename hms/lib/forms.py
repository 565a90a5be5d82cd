"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
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
    """A <select> for long lists (every doctor of the hospital in a filter bar), drawn in Python.

    Django's Select renders a template per <option>: with 200 doctors that cost 40–200 ms a page
    in the benchmark (docs/performance.md), this ~1 ms. Same markup as the field templates draw
    (templates/django/forms/widgets/select.html); values and labels are escaped.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        css = " ".join(filter(None, ["form-select", attrs.pop("class", "")]))
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}" class="{}"{}>{}</select>', name, css, flatatt(attrs), options
        )
