"""Text people type: refuse or strip the control characters no person means to send.

NUL cannot be stored in PostgreSQL text at all (psycopg refuses it: a 500 where a form should
have said no), and the other C0 controls (and DEL) are never part of a name, a reason or a
diagnosis. Tab, line feed and carriage return are kept: text areas need them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)


@deconstructible
class NoControlCharactersValidator:
    message = "Please remove the invisible control characters (such as NUL) from this text."
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator)


def refuse_control_characters_in_every_form() -> None:
    """Every forms.CharField of every form (HMS's, allauth's, Django admin's, django-filter's)
    refuses control characters with a message next to the field. Called once at start-up."""
    from django import forms

    if not any(
        isinstance(v, NoControlCharactersValidator) for v in forms.CharField.default_validators
    ):
        forms.CharField.default_validators = [
            *forms.CharField.default_validators,
            NoControlCharactersValidator(),
        ]
