"""Payment test fixtures: the sandbox's keys (generated once per run) and a public base URL for notify links."""

from __future__ import annotations

import pytest


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
