"""What a shipping address must look like: one rule for the API (oms.orders.serializers.AddressIn) and the shop's
address form (oms.storefront.forms.AddressForm)."""

from __future__ import annotations

PHONE_PATTERN = r"^\+?[0-9][0-9 \-]{4,19}$"
POSTAL_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z \-]{2,9}$"
