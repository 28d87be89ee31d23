"""Payment test fixtures: the SKU most tests sell, the sandbox's keys (generated once per run) and a public base URL for notify links."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.inventory.tests.factories import stock_sku


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    # Notify/return URLs handed to the sandbox; the sandbox's own first HTTP attempt to "testserver" fails at
    # once (no such host), so every test delivers notifications itself, through Django's test client.
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
def _sandbox_key_material() -> dict[str, str]:
    # RSA key generation takes a few hundred ms: once per run, not once per test.
    from oms.payments.alipay.signing import generate_key_pair

    alipay_private, alipay_public = generate_key_pair()
    app_private, app_public = generate_key_pair()
    return {
        "alipay_private_key_pem": alipay_private,
        "alipay_public_key_pem": alipay_public,
        "app_private_key_pem": app_private,
        "app_public_key_pem": app_public,
    }


@pytest.fixture
def sandbox_keys(db, _sandbox_key_material):  # noqa: ARG001
    """The sandbox's key row, made from the run's key material (else it is generated on first use)."""
    from oms.sandbox.models import SandboxKeys

    keys, _ = SandboxKeys.objects.get_or_create(pk=1, defaults=_sandbox_key_material)
    return keys


@pytest.fixture
def sku():
    """The SKU most payment tests sell: 5 on hand at 30.00 (a test module may define its own)."""
    return stock_sku(on_hand=5, price=Decimal("30.00"))
