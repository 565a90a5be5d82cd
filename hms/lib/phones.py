"""Phone numbers: read in the hospital's region (`HOSPITAL_PHONE_REGION`) when typed without a
country code, checked against the country's numbering plan, stored in E.164.

libphonenumber's `is_valid_number` also asks whether the number's block is known to be
allocated to an operator. Operators get new blocks before the library's data lists them, and
the demo's own numbers (+44 7911 6…) fall in such a gap, so a patient's real number could be
refused. A number is therefore accepted when it is valid *or* has the shape of the country's
numbers (its length and leading digits, the country's general pattern): a wrong length, a
leading digit the country never uses, or an unknown country code is still refused.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumber_field import formfields, modelfields
from phonenumber_field.phonenumber import PhoneNumber, to_python

INVALID = "Enter a valid phone number."


def fits_numbering_plan(number: phonenumbers.PhoneNumber) -> bool:
    """True for a number that is valid or shaped like a number of its country."""
    if not number.country_code or not number.national_number:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return False
    national = phonenumbers.national_significant_number(number)
    return re.fullmatch(metadata.general_desc.national_number_pattern, national) is not None


def validate_phone_number(value) -> None:
    number = to_python(value)
    if isinstance(number, PhoneNumber) and not fits_numbering_plan(number):
        raise ValidationError(INVALID, code="invalid")


class PhoneNumberFormField(formfields.PhoneNumberField):
    default_validators = [validate_phone_number]


class PhoneNumberField(modelfields.PhoneNumberField):
    """django-phonenumber-field's model field with the numbering-plan check above."""

    default_validators = [validate_phone_number]

    def get_prep_value(self, value):
        number = self.to_python(value)
        if isinstance(number, PhoneNumber) and fits_numbering_plan(number):
            return number.as_e164
        return super().get_prep_value(value)

    def formfield(self, form_class=None, **kwargs):
        return super().formfield(form_class=form_class or PhoneNumberFormField, **kwargs)
