"""The Alipay gateway backend pointed at this sandbox: chosen in settings (OMS_PAYMENT_GATEWAYS) when
ALIPAY_SANDBOX is on, so payments never knows the sandbox exists.

It is our real Alipay backend with the sandbox's demo merchant keys, and API calls handed to the sandbox in this
same process, without an HTTP hop to ourselves: signing, the sandbox's signature check, its signed answer and our
verification all still happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings

from oms.payments.alipay.client import AlipayClient
from oms.payments.gateways.alipay import AlipayGateway
from oms.sandbox.gateway import api_answer
from oms.sandbox.keys import sandbox_config


def sandbox_transport(url: str, form: Mapping[str, str]) -> tuple[int, str]:
    """Hand an API call to the sandbox's gateway, as the HTTP endpoint would."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    params.update(form)
    return 200, api_answer(params)


class SandboxAlipayGateway(AlipayGateway):
    """Alipay against the local sandbox; ``transport`` (None: in process) is replaced by tests of a bad network."""

    def client(self, base_url: str = "") -> AlipayClient:
        base = base_url or settings.OMS_PUBLIC_BASE_URL or "http://127.0.0.1:8000"
        return AlipayClient(sandbox_config(base), transport=self.transport or sandbox_transport)
