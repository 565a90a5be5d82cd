"""A prescription line's free text (dose, frequency, duration) read as a FHIR R4 Dosage.

Doctors type "500 mg", "twice a day", "7 days". What matches one of the common shapes below
becomes structured (doseQuantity, timing.repeat, boundsDuration); the whole line always stays in
Dosage.text, so nothing a doctor wrote is lost when a shape is not recognised."""

from __future__ import annotations

import re
from datetime import date, timedelta

UCUM = "http://unitsofmeasure.org"

# What doctors write -> (UCUM code, unit shown). Countable forms use UCUM annotations.
DOSE_UNITS = {
    "mg": ("mg", "mg"),
    "g": ("g", "g"),
    "mcg": ("ug", "mcg"),
    "µg": ("ug", "µg"),
    "ug": ("ug", "µg"),
    "ml": ("mL", "mL"),
    "l": ("L", "L"),
    "iu": ("[iU]", "IU"),
    "drop": ("[drp]", "drop"),
    "tablet": ("{tablet}", "tablet"),
    "tab": ("{tablet}", "tablet"),
    "capsule": ("{capsule}", "capsule"),
    "cap": ("{capsule}", "capsule"),
    "puff": ("{puff}", "puff"),
    "sachet": ("{sachet}", "sachet"),
}
# Unit words -> UCUM time units (Timing.repeat.periodUnit and Duration codes).
TIME_UNITS = {
    "h": "h", "hr": "h", "hour": "h",
    "d": "d", "day": "d",
    "w": "wk", "wk": "wk", "week": "wk",
    "mo": "mo", "month": "mo",
}  # fmt: skip
TIME_UNIT_NAMES = {"h": "hours", "d": "days", "wk": "weeks", "mo": "months"}
DAYS_IN = {"h": 1 / 24, "d": 1, "wk": 7, "mo": 30}
COUNTS = {"once": 1, "one": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3, "four": 4,
          "five": 5, "six": 6}  # fmt: skip
ABBREVIATIONS = {
    "od": (1, 1, "d"), "qd": (1, 1, "d"), "daily": (1, 1, "d"), "every day": (1, 1, "d"),
    "bd": (2, 1, "d"), "bid": (2, 1, "d"), "tds": (3, 1, "d"), "tid": (3, 1, "d"),
    "qds": (4, 1, "d"), "qid": (4, 1, "d"), "weekly": (1, 1, "wk"), "monthly": (1, 1, "mo"),
    "at night": (1, 1, "d"), "at bedtime": (1, 1, "d"), "nocte": (1, 1, "d"),
}  # fmt: skip
AS_NEEDED = ("as needed", "prn", "sos", "when required", "if needed", "as required")

_NUMBER = r"(\d+(?:\.\d+)?)"
_DOSE = re.compile(rf"^{_NUMBER}\s*([a-zµ\[\]]+?)s?$")
_TIMES = re.compile(r"^(\d+|[a-z]+)(?: times?)?(?: a| per| each| every)? (day|week|month)$")
_EVERY = re.compile(r"^(?:every (\d+) ?|q(\d+))(h|hr|hours?|d|days?|w|wk|weeks?)$")
_DURATION = re.compile(rf"^(?:for )?{_NUMBER}\s*([a-z]+?)s?$")


def _words(text: str) -> str:
    # "b.d." reads as "bd"; a decimal point ("1.5 weeks") stays.
    return " ".join(re.sub(r"(?<!\d)\.|\.(?!\d)", "", text.lower()).split())


def _time_unit(word: str) -> str | None:
    return TIME_UNITS.get(word.rstrip("s")) or TIME_UNITS.get(word)


def dose_quantity(dose: str) -> dict | None:
    """ "500 mg" -> a UCUM Quantity; None when the dose is not "<number> <known unit>"."""
    match = _DOSE.match(dose.strip().lower())
    if not match or match.group(2) not in DOSE_UNITS:
        return None
    code, unit = DOSE_UNITS[match.group(2)]
    return {"value": match.group(1), "unit": unit, "system": UCUM, "code": code}


def frequency_repeat(frequency: str) -> dict | None:
    """ "twice a day" / "bd" / "every 8 hours" / "q6h" -> Timing.repeat; None if not parsable."""
    text = re.sub(r"(?<=\S) daily$", " a day", _words(frequency))
    if text in ABBREVIATIONS or text.replace("once ", "") in ABBREVIATIONS:
        count, period, unit = ABBREVIATIONS.get(text) or ABBREVIATIONS[text.replace("once ", "")]
        return {"frequency": count, "period": period, "periodUnit": unit}
    if match := _TIMES.match(text):
        word, unit = match.groups()
        count = int(word) if word.isdigit() else COUNTS.get(word)
        return {"frequency": count, "period": 1, "periodUnit": _time_unit(unit)} if count else None
    if match := _EVERY.match(text):
        hours = match.group(1) or match.group(2)
        return {"frequency": 1, "period": int(hours), "periodUnit": _time_unit(match.group(3))}
    return None


def duration_bounds(duration: str) -> dict | None:
    """ "7 days" / "for 2 weeks" -> a UCUM Duration; None if not parsable."""
    match = _DURATION.match(_words(duration))
    unit = _time_unit(match.group(2)) if match else None
    if unit is None:
        return None
    value = match.group(1)
    return {"value": value, "unit": TIME_UNIT_NAMES[unit], "system": UCUM, "code": unit}


def is_as_needed(frequency: str) -> bool:
    text = _words(frequency)
    return any(phrase in text for phrase in AS_NEEDED)


def dosage(dose: str, frequency: str, duration: str, instructions: str) -> dict:
    """One FHIR Dosage: always the text, structured parts where they could be read."""
    course = f"for {duration}" if duration[:1].isdigit() else duration  # "for 7 days", "ongoing"
    text = ", ".join(filter(None, [dose, frequency, course]))
    result: dict = {"sequence": 1, "text": text or "As directed"}
    if instructions:
        result["patientInstruction"] = instructions
    repeat = dict(frequency_repeat(frequency) or {})
    if bounds := duration_bounds(duration):
        repeat["boundsDuration"] = bounds
    if repeat:
        result["timing"] = {"repeat": repeat}
    if is_as_needed(frequency):
        result["asNeededBoolean"] = True
    if quantity := dose_quantity(dose):
        result["doseAndRate"] = [{"doseQuantity": quantity}]
    return result


def medication_status(prescribed_on: date, duration: str, today: date) -> str:
    """completed once a parsed course has run out, active while it runs, unknown otherwise
    (a line without a readable duration says nothing about whether it still applies)."""
    bounds = duration_bounds(duration)
    if bounds is None:
        return "unknown"
    end = prescribed_on + timedelta(days=float(bounds["value"]) * DAYS_IN[bounds["code"]])
    return "completed" if end < today else "active"
