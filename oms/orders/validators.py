"""What a shipping address must look like: one rule for the API (oms.orders.serializers.AddressIn); the shop's
address form (oms.storefront.forms.AddressForm) adds the province → city → district lists.

Any country: a phone of digits and a postal code of letters and digits. A mainland address (``country`` CN, or no
country, as every address stored before the field) needs a mainland mobile number and a 6-digit postal code
(oms.regions.validation). Province, city and district stay free text in the API: clients send the names they have.
"""

from __future__ import annotations

from oms.regions.validation import (
    COUNTRY_INVALID,
    COUNTRY_PATTERN,
    PHONE_INVALID,
    POSTAL_CODE_ANY_INVALID,
    clean_mainland_fields,
)

PHONE_PATTERN = r"^\+?[0-9][0-9 \-]{4,19}$"
POSTAL_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z \-]{2,9}$"

__all__ = [
    "COUNTRY_INVALID",
    "COUNTRY_PATTERN",
    "PHONE_INVALID",
    "PHONE_PATTERN",
    "POSTAL_CODE_ANY_INVALID",
    "POSTAL_CODE_PATTERN",
    "clean_country_rules",
]


def clean_country_rules(address: dict[str, str]) -> dict[str, str]:
    """The address with its country in capitals (when given) and the rules of that country applied."""
    if "country" in address:
        address = {**address, "country": address["country"].upper()}
    return clean_mainland_fields(address)
