"""Tags and filters every template gets (TEMPLATES "builtins" in hms/settings.py): Django's own
`date` filter and `{% url %}` tag, with their results remembered per process, `truncatechars`
without its cost when nothing is cut, and `money`.

List pages format dozens of dates and reverse dozens of URLs per request, the same ones again on
every reload: one `date` costs ~0.1 ms (day and month names are looked up in the active language
one by one), one `{% url %}` ~0.04 ms. Remembered, a page of 25 rows saves 2-4 ms of CPU
(docs/performance.md, "Remembered dates and URLs"). Both are pure functions of what the key holds
(value, time zone, format and language; view name, arguments, URLconf and script prefix), so the
output is exactly Django's. Templates keep writing `|date:"..."` and `{% url ... %}`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django import template
from django.conf import settings
from django.template import defaultfilters, defaulttags
from django.template.defaultfilters import stringfilter
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from hms.lib.money import format_money

register = template.Library()


@lru_cache(maxsize=8192)
def _formatted(value, zone: str, arg, language: str | None) -> str:
    return defaultfilters.date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter (same arguments, same output), remembered per process."""
    try:
        return _formatted(value, str(getattr(value, "tzinfo", None)), arg, get_language())
    except TypeError:  # an unhashable value: nothing to remember
        return defaultfilters.date(value, arg)


@lru_cache(maxsize=8192)
def _reversed(view_name, args, kwargs, current_app, urlconf, root, prefix) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        try:  # as Django's URLNode does
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())
        try:
            url = _reversed(self.view_name.resolve(context), args, kwargs, current_app, *key)
        except TypeError:  # an unhashable argument: Django's own tag
            return super().render(context)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax, same output), remembered per process."""
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.filter(is_safe=True)
@stringfilter
def truncatechars(value: str, arg):
    """Django's `truncatechars` (same output): a text already short enough is returned without
    building a Truncator (what Truncator.chars returns then: the text, NFC-normalised)."""
    try:
        length = int(arg)
    except ValueError:  # as Django's: an invalid length leaves the text alone
        return value
    if len(value) <= length:
        return unicodedata.normalize("NFC", value)
    return defaultfilters.truncatechars(value, arg)


@register.filter(is_safe=False)
def money(value) -> str:
    """`{{ fee|money }}`: an amount in the hospital's currency (hms.lib.money)."""
    return format_money(value)
