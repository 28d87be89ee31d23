"""What an address in mainland China must look like: a mobile number 1[3-9] + 9 digits and a 6-digit postal code.

Used by the API (oms.orders.validators) and the shop's address form (oms.regions.forms). An address without a
``country`` is taken as CN: every address stored before the field existed was one, and reads as it did.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND = "CN"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"  # ISO 3166-1 alpha-2
MOBILE = re.compile(r"1[3-9][0-9]{9}")
POSTAL_CODE = re.compile(r"[0-9]{6}")
# A mobile number as people write it: +86 138 0013 8000, 86-138-0013-8000, 138-0013-8000.
_SEPARATORS = re.compile(r"[ \-]")
_COUNTRY_PREFIX = re.compile(r"^(\+86|86)(?=1[0-9]{10}$)")

MOBILE_INVALID = _("Enter a mainland mobile number: 11 digits starting with 13 to 19, e.g. 13800138000.")
POSTAL_CODE_INVALID = _("Enter a 6-digit postal code, e.g. 200120.")
COUNTRY_INVALID = _("Enter a two-letter country code (ISO 3166), e.g. CN.")
# any country's (oms.orders.validators)
PHONE_INVALID = _("Enter a phone number of digits.")
POSTAL_CODE_ANY_INVALID = _("Enter a postal code.")


def country_of(address: Mapping[str, object]) -> str:
    """The address's country code in capitals; CN when it has none."""
    return str(address.get("country") or MAINLAND).strip().upper()


def normalise_mobile(raw: str) -> str:
    """The 11 digits of a mainland mobile number, without +86/86, spaces or dashes; ValidationError otherwise."""
    digits = _COUNTRY_PREFIX.sub("", _SEPARATORS.sub("", raw.strip()))
    if not MOBILE.fullmatch(digits):
        raise ValidationError(MOBILE_INVALID, code="invalid_mobile")
    return digits


def check_postal_code(raw: str) -> str:
    value = raw.strip()
    if not POSTAL_CODE.fullmatch(value):
        raise ValidationError(POSTAL_CODE_INVALID, code="invalid_postal_code")
    return value


def clean_mainland_fields(address: dict[str, str]) -> dict[str, str]:
    """For a mainland address, the same address with its phone normalised; errors per field as one
    ValidationError. Other countries are returned unchanged (their own rules are not known here)."""
    if country_of(address) != MAINLAND:
        return address
    cleaned, errors = dict(address), {}
    for field, check in (("phone", normalise_mobile), ("postal_code", check_postal_code)):
        try:
            cleaned[field] = check(str(address.get(field, "")))
        except ValidationError as exc:
            errors[field] = exc
    if errors:
        raise ValidationError(errors)
    return cleaned
