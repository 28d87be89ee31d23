"""The network between us and the Alipay sandbox, for refund failure tests: up, down, losing an answer after the
sandbox acted, or our process dying mid-call.

Only the transport is replaced (the gateway backend takes one, as it takes urllib in production); signing, the
sandbox's checks and its signed answers all still happen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from oms.payments.gateways import get_gateway
from oms.sandbox.backend import sandbox_transport

Transport = Callable[[str, Mapping[str, str]], tuple[int, str]]


class ProcessDied(BaseException):
    """Stands for the process being killed mid-call: no ``except`` of ours catches it, nothing is recorded."""


def method_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["method"][0]


def down(url: str, form: Mapping[str, str]) -> tuple[int, str]:  # noqa: ARG001
    raise OSError("connection refused")


def answer_lost(method: str) -> Transport:
    """The sandbox handles ``method`` calls, but their answers never come back (a timeout)."""

    def transport(url: str, form: Mapping[str, str]) -> tuple[int, str]:
        answer = sandbox_transport(url, form)
        if method_of(url) == method:
            raise OSError("timed out")
        return answer

    return transport


def dies(method: str, *, after_the_gateway_acted: bool) -> Transport:
    """Our process dies during a ``method`` call, before it reaches the sandbox or once the sandbox acted."""

    def transport(url: str, form: Mapping[str, str]) -> tuple[int, str]:
        if method_of(url) != method:
            return sandbox_transport(url, form)
        if after_the_gateway_acted:
            sandbox_transport(url, form)
        raise ProcessDied(method)

    return transport


def use_network(monkeypatch, transport: Transport | None) -> None:
    """Route the Alipay gateway backend through ``transport`` (None: straight to the sandbox again)."""
    monkeypatch.setattr(get_gateway("alipay"), "transport", transport)
