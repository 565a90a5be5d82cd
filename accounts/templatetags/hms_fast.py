"""Template helpers for markup drawn once per table row (docs/performance.md, findings 7-9).

Each replaces a construct whose cost the benchmark measured on list pages: `{% url %}` per row
(a full `reverse()` each time), an `{% include %}` of a five-branch status badge per row, and
Django's select widget, which renders each <option> through its own template.
"""

from __future__ import annotations

from functools import lru_cache

from django import forms, template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SENTINEL = "987654321"


@lru_cache(maxsize=256)
def _url_parts(prefix: str, name: str) -> tuple[str, str]:
    url = reverse(name, args=[int(_SENTINEL)])
    head, found, tail = url.partition(_SENTINEL)
    if not found or _SENTINEL in tail:  # pragma: no cover - a pattern that changes its argument
        raise ValueError(f"cannot split the URL of {name}")
    return head, tail


def pk_url(name: str, pk) -> str:
    """reverse(name, args=[pk]) for a URL with one integer argument, without a reverse() call.

    The URL is reversed once per (script prefix, name) with a placeholder and then formatted:
    an integer argument is inserted into the path as its decimal digits, as reverse() does.
    """
    if type(pk) is not int:
        return reverse(name, args=[pk])
    head, tail = _url_parts(get_script_prefix(), name)
    return f"{head}{pk}{tail}"


@register.simple_tag
def url_pk(name: str, pk) -> str:
    """`{% url_pk 'app:name' obj.pk %}`: the same URL as `{% url 'app:name' obj.pk %}`."""
    return pk_url(name, pk)


_BADGES = {
    "booked": ("primary", "Booked"),
    "checked_in": ("info", "Checked in"),
    "completed": ("success", "Completed"),
    "cancelled": ("secondary", "Cancelled"),
}
_BADGE_HTML = {
    status: mark_safe(f'<span class="badge text-bg-{css}">{label}</span>')  # noqa: S308 - constants
    for status, (css, label) in _BADGES.items()
}
_NO_SHOW = mark_safe('<span class="badge text-bg-warning">No-show</span>')


@register.filter
def status_badge(status: str) -> SafeString:
    """An appointment status as its badge; scheduling/_status_badge.html delegates here."""
    return _BADGE_HTML.get(status, _NO_SHOW)


def _fast_select(field: forms.BoundField) -> SafeString:
    """A single <select> as Django's widget renders it, without a template per <option>."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(dict(widget.attrs))
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    if value is None:
        selected = {""}
    parts = [f'<select name="{escape(field.html_name)}"']
    for key, val in attrs.items():
        if val is True:
            parts.append(f" {key}")
        elif val is not False and val is not None:
            parts.append(f' {key}="{escape(val)}"')
    parts.append(">\n")
    for option_value, label in field.field.choices:
        if isinstance(label, list | tuple):  # pragma: no cover - optgroups: not in filter bars
            return SafeString(str(field))
        option_value = "" if option_value is None else str(option_value)
        mark = " selected" if option_value in selected else ""
        parts.append(
            f'  <option value="{escape(option_value)}"{mark}>{conditional_escape(label)}</option>\n'
        )
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def filter_field(field: forms.BoundField) -> SafeString:
    """A filter-bar field (label, widget, errors): the markup of includes/filter_field.html."""
    fast = type(field.field.widget) is forms.Select
    control = _fast_select(field) if fast else SafeString(str(field))
    errors = mark_safe(  # noqa: S308 - format_html escapes
        "".join(
            format_html('<div class="invalid-feedback d-block">{}</div>', error)
            for error in field.errors
        )
    )
    return format_html(
        '<div class="mb-3">\n  <label class="form-label" for="{}">{}</label>\n  {}\n  {}\n</div>',
        field.id_for_label,
        field.label,
        control,
        errors,
    )


_PLAIN_WIDGETS = (
    forms.widgets.Input,
    forms.Textarea,
    forms.CheckboxInput,
)  # Input: text, e-mail, password...


def _field_markup(field: forms.BoundField) -> str:
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    described = []
    errors = ""
    for n, error in enumerate(field.errors, 1):
        error_id = f"error_{n}_{field.auto_id}"
        described.append(error_id)
        errors += format_html(
            '<div id="{}" class="invalid-feedback d-block">{}</div>', error_id, error
        )
    help_text = ""
    if field.help_text:
        help_id = f"{field.auto_id}_helptext"
        described.append(help_id)
        help_text = format_html(
            '<div id="{}" class="form-text">{}</div>',
            help_id,
            mark_safe(field.help_text),  # noqa: S308 - form help text is markup, as crispy renders it
        )
    css = "form-check-input" if checkbox else "form-control"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    control = field.as_widget(attrs=attrs)
    errors_html = mark_safe("".join(errors))  # noqa: S308 - each made by format_html
    required = field.field.required
    star = mark_safe('<span class="asteriskField">*</span>') if required else ""
    if checkbox:
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}{}</label>{}{}</div></div>',
            field.auto_id,
            control,
            field.id_for_label,
            field.label,
            star,
            errors_html,
            help_text,
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>'
        "{}{}{}</div>",
        field.auto_id,
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        star,
        control,
        errors_html,
        help_text,
    )


@register.filter
def bootstrap_form(form: forms.Form) -> SafeString:
    """A form in Bootstrap 5 markup, as crispy's `|crispy` draws it for plain fields.

    Labels, the required star, errors under each field (linked with aria-describedby, and
    `is-invalid`), help text and the form's own errors in an alert. A form with any other kind
    of field (radio buttons, multiple choices, files) is drawn by crispy.
    """
    fields = list(form)
    if any(
        not f.is_hidden
        and (
            not isinstance(f.field.widget, _PLAIN_WIDGETS)
            or isinstance(f.field.widget, forms.FileInput)
        )
        for f in fields
    ):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

        return as_crispy_form(form)
    parts = []
    non_field = form.non_field_errors()
    if non_field:
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger" role="alert"><ul class="m-0">{}</ul>'
                "</div>",
                mark_safe("".join(format_html("<li>{}</li>", e) for e in non_field)),  # noqa: S308
            )
        )
    for field in fields:
        parts.append(str(field) if field.is_hidden else _field_markup(field))
    return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


@register.filter
def bootstrap_field(field: forms.BoundField) -> SafeString:
    """One field as `bootstrap_form` draws it (crispy's `|as_crispy_field` for plain fields)."""
    widget = field.field.widget
    if not isinstance(widget, _PLAIN_WIDGETS) or isinstance(widget, forms.FileInput):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(field)
    return _field_markup(field)
