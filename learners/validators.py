"""Validators that keep national identity numbers out of Endra."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Eleven digits in a row, also written as «DDMMYY NNNNN»: the shape of a fødselsnummer or
# D-number. Endra never needs one, so a name or free text that holds one is refused.
IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{6}[ .-]?\d{5}(?!\d)")


def validate_no_identity_number(value: str) -> None:
    if value and IDENTITY_NUMBER.search(str(value)):
        raise ValidationError(
            _("Do not enter a national identity number (fødselsnummer) here."),
            code="identity_number",
        )
