"""Our own small Alipay (open API, RSA2) client: request signing, notification and response verification."""

from oms.payments.alipay.client import AlipayClient, AlipayConfig, Transport, urllib_transport
from oms.payments.alipay.errors import (
    AlipayError,
    AlipayResponseError,
    AlipaySignatureError,
    AlipayTransportError,
)

__all__ = [
    "AlipayClient",
    "AlipayConfig",
    "AlipayError",
    "AlipayResponseError",
    "AlipaySignatureError",
    "AlipayTransportError",
    "Transport",
    "urllib_transport",
]
