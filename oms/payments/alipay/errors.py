"""Errors of the Alipay client. Business refusals (``code != "10000"``) are *answers*, not errors."""

from __future__ import annotations

from oms.common.errors import ErrorCode, OmsError


class AlipayError(OmsError):
    """The gateway could not be talked to, or its answer cannot be trusted: a bad gateway for our API."""

    code = ErrorCode.GATEWAY_ERROR
    status = 502


class AlipayTransportError(AlipayError):
    """Network failure, timeout, or an HTTP status other than 200."""


class AlipaySignatureError(AlipayError):
    """The answer is unsigned or its signature does not verify with the Alipay public key."""


class AlipayResponseError(AlipayError):
    """The answer is not the JSON document the method should produce."""
