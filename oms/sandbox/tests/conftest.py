"""Sandbox test fixtures: the test URLconf, a tiny retry factor, the client through Django's test client."""

from __future__ import annotations

from django.apps import apps

from oms.common.tests.expected import expect_all

# Until 'oms.sandbox' is in INSTALLED_APPS these modules cannot even be imported; leave them out rather than
# turn the whole suite red, unless the run expects the sandbox (scripts/test.sh): then it is an error that names
# the cause. Once it is installed (the normal case), they all run.
if not apps.is_installed("oms.sandbox"):
    if expect_all():
        raise RuntimeError(
            "the Alipay sandbox is off (ALIPAY_APP_ID is set, or ALIPAY_SANDBOX=false), and this run expects it "
            "(OMS_TEST_EXPECT_ALL=1)"
        )
    collect_ignore_glob = ["test_*.py"]
else:
    import pytest

    from oms.payments.alipay import AlipayClient
    from oms.payments.alipay.signing import generate_key_pair
    from oms.sandbox.keys import sandbox_config
    from oms.sandbox.models import SandboxKeys
    from oms.sandbox.tests.helpers import django_transport

    @pytest.fixture(autouse=True)
    def _sandbox_settings(settings):
        settings.ROOT_URLCONF = "oms.sandbox.tests.urls"
        settings.SANDBOX_ALIPAY_RETRY_FACTOR = 0.0001
        settings.OMS_ENV = "development"

    @pytest.fixture(scope="session")
    def _key_material() -> dict[str, str]:
        # RSA key generation takes a few hundred ms; do it once per run, not once per test database state.
        alipay_private, alipay_public = generate_key_pair()
        app_private, app_public = generate_key_pair()
        return {
            "alipay_private_key_pem": alipay_private,
            "alipay_public_key_pem": alipay_public,
            "app_private_key_pem": app_private,
            "app_public_key_pem": app_public,
        }

    @pytest.fixture
    def sandbox_keys(db, _key_material) -> SandboxKeys:
        return SandboxKeys.objects.create(pk=1, **_key_material)

    @pytest.fixture
    def alipay(sandbox_keys) -> AlipayClient:
        """The demo merchant's client, talking to the sandbox through Django's test client."""
        return AlipayClient(sandbox_config("http://testserver"), transport=django_transport)
