"""Amounts of money as people read them, in the hospital's currency (HOSPITAL_CURRENCY)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "INR": "₹", "JPY": "¥"}


def currency_label() -> str:
    """For form labels: "GBP (£)", or the bare code when it has no symbol here."""
    code = settings.HOSPITAL_CURRENCY
    return f"{code} ({SYMBOLS[code]})" if code in SYMBOLS else code


def format_money(amount: Decimal | int | float | None) -> str:
    """£80.00, ₹1,500.00, CHF 80.00; "" for no amount."""
    if amount is None or amount == "":
        return ""
    code = settings.HOSPITAL_CURRENCY
    number = f"{Decimal(amount):,.2f}"
    return f"{SYMBOLS[code]}{number}" if code in SYMBOLS else f"{code} {number}"
