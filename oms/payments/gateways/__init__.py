"""Payment gateways are backends named in settings (OMS_PAYMENT_GATEWAYS); order code never knows them."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from oms.payments.gateways.base import PaymentGateway


@cache
def get_gateway(name: str) -> PaymentGateway:
    path = settings.OMS_PAYMENT_GATEWAYS.get(name)
    if not path:
        raise ImproperlyConfigured(f"No payment gateway '{name}' in OMS_PAYMENT_GATEWAYS.")
    gateway: PaymentGateway = import_string(path)()
    return gateway
