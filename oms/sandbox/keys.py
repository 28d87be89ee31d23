"""The sandbox's key pairs and the demo merchant it knows, with a ready-made client config for it."""

from __future__ import annotations

from django.urls import reverse

from oms.payments.alipay.client import AlipayConfig
from oms.payments.alipay.signing import generate_key_pair
from oms.sandbox.models import SandboxKeys

# Fixed demo identities: the sandbox serves one merchant, so these are constants rather than rows.
DEMO_APP_ID = "2021000000000001"
DEMO_SELLER_ID = "2088000000000001"
DEMO_SELLER_EMAIL = "seller@sandbox.example.com"
DEMO_BUYER_ID = "2088000000000002"
DEMO_BUYER_LOGON_ID = "buy***@sandbox.example.com"


def get_sandbox_keys() -> SandboxKeys:
    """The key row, generated on first use. Two first uses at once both generate; one insert wins."""
    keys = SandboxKeys.objects.filter(pk=1).first()
    if keys is not None:
        return keys
    alipay_private, alipay_public = generate_key_pair()
    app_private, app_public = generate_key_pair()
    keys, _ = SandboxKeys.objects.get_or_create(
        pk=1,
        defaults={
            "alipay_private_key_pem": alipay_private,
            "alipay_public_key_pem": alipay_public,
            "app_private_key_pem": app_private,
            "app_public_key_pem": app_public,
        },
    )
    return keys


def sandbox_config(base_url: str) -> AlipayConfig:
    """Client config for the demo merchant against the sandbox served at ``base_url`` (e.g. http://127.0.0.1:8000).

    Needs the sandbox URLs routed (``include("oms.sandbox.urls")``) and touches the database (keys).
    """
    keys = get_sandbox_keys()
    return AlipayConfig(
        gateway_url=base_url.rstrip("/") + reverse("sandbox:alipay-gateway"),
        app_id=DEMO_APP_ID,
        seller_id=DEMO_SELLER_ID,
        app_private_key_pem=keys.app_private_key_pem,
        alipay_public_key_pem=keys.alipay_public_key_pem,
    )
