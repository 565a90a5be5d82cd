"""What the staff's one patient search box understands, besides names: phone digits and dates of
birth, typed whole or in part. Pure functions of the typed text (Patient.objects.search uses them).

Dates are read day first (14/03/1980, 14.3.1980) or ISO (1980-03-14), as a hospital desk outside
the US types them; a year alone or a day and month alone narrow the search too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

PHONE_CHARS = re.compile(r"^[\d\s+()./-]+$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class BirthDate:
    """A date of birth typed whole or in part: any of its parts may be unknown."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def is_plausible(self) -> bool:
        if self.month is not None and not 1 <= self.month <= 12:
            return False
        if self.day is not None and not 1 <= self.day <= 31:
            return False
        if None not in (self.year, self.month, self.day):
            try:
                date(self.year, self.month, self.day)
            except ValueError:
                return False
        return True


def phone_digits(text: str) -> str | None:
    """The digits to look for inside stored E.164 numbers ("07911 654" -> "7911654"), or None
    when the text is not a phone number. A leading 00 or 0 (international or national prefix) is
    dropped: the stored number starts with the country code instead."""
    if not PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def birth_date(text: str) -> BirthDate | None:
    """The date of birth (or the part of it) the text names, or None."""
    text = text.strip()
    if match := ISO.match(text):
        year, month, day = match.groups()
        parsed = BirthDate(int(year), int(month), int(day) if day else None)
    elif match := DAY_FIRST.match(text):
        day, month, year = match.groups()
        parsed = BirthDate(_full_year(year), int(month), int(day))
    elif match := YEAR.match(text):
        parsed = BirthDate(year=int(match.group(1)))
    else:
        return None
    return parsed if parsed.is_plausible() else None


def _full_year(text: str | None) -> int | None:
    """A two-digit year is the latest such year not in the future (14/03/80 -> 1980)."""
    if text is None:
        return None
    year = int(text)
    if len(text) == 4:
        return year
    this_year = timezone.localdate().year
    century = this_year - this_year % 100
    return century + year if century + year <= this_year else century - 100 + year
