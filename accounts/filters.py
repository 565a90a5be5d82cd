"""Shared filter-bar behaviour for every app's django-filter FilterSets."""

from django import forms


class BootstrapFilterMixin:
    """Give each filter widget its Bootstrap class (rendered by includes/filter_field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
