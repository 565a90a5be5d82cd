"""Text people type: refuse or strip the control characters no person means to send.

NUL cannot be stored in PostgreSQL text at all (psycopg refuses it: a 500 where a form should
have said no), and the other C0 controls (and DEL) are never part of a name, a reason or a
diagnosis. Tab, line feed and carriage return are kept: text areas need them.

`install()` runs when the `hms` package is imported, before any form class exists, so every
forms.CharField of every form (HMS's, allauth's, Django admin's, django-filter's) gets it:
- a single-line field refuses control characters with a message next to it (NUL is refused by
  Django's own validator already);
- a text area drops them (they come invisibly with text pasted from word processors and PDFs);
- a password field is left alone: a password is whatever its owner typed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_NUL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")  # Django's validator reports NUL


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)


@deconstructible
class NoControlCharactersValidator:
    message = "Please remove the invisible control characters from this text."
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and _NOT_NUL.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator)


def install() -> None:
    from django import forms

    if getattr(forms.CharField, "_hms_text_rules", False):
        return
    original_init, original_to_python = forms.CharField.__init__, forms.CharField.to_python

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if not isinstance(self.widget, forms.PasswordInput | forms.Textarea):
            self.validators.append(NoControlCharactersValidator())

    def to_python(self, value):
        value = original_to_python(self, value)
        if isinstance(value, str) and isinstance(self.widget, forms.Textarea):
            value = strip_control_characters(value)
        return value

    forms.CharField.__init__ = __init__
    forms.CharField.to_python = to_python
    forms.CharField._hms_text_rules = True
