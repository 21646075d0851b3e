"""Validators that keep national identity numbers out of Endra."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What people put between the digits of a number: spaces of every kind, dots, dashes of
# every kind, slashes and underscores.
_SEPARATOR = r"[\s.\-_/\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
# A run of digits with separators inside it (never two in a row), not touching other digits.
_DIGIT_RUN = re.compile(rf"(?<!\d)\d(?:{_SEPARATOR}?\d)*(?!\d)")
# Eleven digits: the shape of a fødselsnummer or D-number.
_ID_DIGITS = 11


def _ascii_digits(text: str) -> str:
    """Every decimal digit of any script (Arabic-Indic, fullwidth, …) as 0-9; NFKC first,
    so compatibility forms (superscripts, circled digits) become plain digits too."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(char)) if not char.isascii() and char.isdecimal() else char
        for char in text
    )


def contains_identity_number(value: object) -> bool:
    """Whether `value` holds eleven digits that read as one number, however they are grouped
    («01019012345», «010190 12345», «0101901234 5», «01.01.90-123.45») or written (any
    script's digits). Endra never needs one, so a name or free text that holds one is
    refused. Runs of more digits (account numbers, long references) pass."""
    if not value:
        return False
    text = _ascii_digits(str(value))
    return any(
        sum(char.isdigit() for char in run.group()) == _ID_DIGITS
        for run in _DIGIT_RUN.finditer(text)
    )


def validate_no_identity_number(value: str) -> None:
    if contains_identity_number(value):
        raise ValidationError(
            _("Do not enter a national identity number (fødselsnummer) here."),
            code="identity_number",
        )
