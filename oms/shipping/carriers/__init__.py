"""Carriers are backends named in settings (OMS_CARRIERS: code -> dotted path); shipping code never knows them."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from oms.shipping.carriers.base import CarrierBackend, CarrierEvent
from oms.shipping.errors import UnknownCarrier

__all__ = ["CarrierBackend", "CarrierEvent", "carrier_codes", "carrier_name", "get_carrier"]


def carrier_codes() -> list[str]:
    return sorted(settings.OMS_CARRIERS)


def get_carrier(code: str) -> CarrierBackend:
    """The backend of carrier ``code``. Raises UnknownCarrier (404) for a code OMS_CARRIERS does not name."""
    path = settings.OMS_CARRIERS.get(code)
    if not path:
        raise UnknownCarrier(
            _("No carrier %(carrier)s.") % {"carrier": repr(code)}, details={"carriers": carrier_codes()}
        )
    backend: CarrierBackend = import_string(path)(code=code)
    return backend


def carrier_name(code: str) -> str:
    """The name people read for carrier ``code``; a code we do not know (a customer's return parcel) as it is."""
    path = settings.OMS_CARRIERS.get(code)
    if not path:
        return code
    return get_carrier(code).name
