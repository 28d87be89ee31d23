"""The production guard, and the sandbox's own keys."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from oms.payments.alipay.signing import generate_key_pair, rsa2_sign, rsa2_verify
from oms.payments.gateways import get_gateway
from oms.payments.gateways.alipay import AlipayGateway
from oms.sandbox.backend import SandboxAlipayGateway
from oms.sandbox.checks import check_sandbox_not_in_production
from oms.sandbox.keys import DEMO_APP_ID, DEMO_SELLER_ID, get_sandbox_keys, sandbox_config
from oms.sandbox.models import SandboxKeys


def test_sandbox_is_refused_in_production(settings):
    settings.OMS_ENV = "production"
    (error,) = check_sandbox_not_in_production(None)
    assert error.id == "oms.E010"
    with pytest.raises(SystemCheckError, match="oms.E010"):
        call_command("check")  # not a --deploy check: it always runs


def test_sandbox_is_fine_in_development(settings):
    settings.OMS_ENV = "development"
    assert check_sandbox_not_in_production(None) == []


@pytest.mark.django_db
def test_keys_are_generated_once_and_pair_up():
    keys = get_sandbox_keys()
    assert get_sandbox_keys().app_private_key_pem == keys.app_private_key_pem
    assert SandboxKeys.objects.count() == 1
    assert keys.alipay_private_key_pem != keys.app_private_key_pem
    for private, public in [
        (keys.alipay_private_key_pem, keys.alipay_public_key_pem),
        (keys.app_private_key_pem, keys.app_public_key_pem),
    ]:
        assert rsa2_verify("中文 content", rsa2_sign("中文 content", private), public)


@pytest.mark.django_db
def test_sandbox_config_is_the_demo_merchant():
    config = sandbox_config("http://127.0.0.1:8000/")
    keys = SandboxKeys.objects.get()
    assert config.gateway_url == "http://127.0.0.1:8000/sandbox/alipay/gateway.do"
    assert (config.app_id, config.seller_id) == (DEMO_APP_ID, DEMO_SELLER_ID)
    assert config.app_private_key_pem == keys.app_private_key_pem
    assert config.alipay_public_key_pem == keys.alipay_public_key_pem


@pytest.mark.django_db
def test_the_sandbox_is_the_alipay_backend_chosen_in_settings(settings):
    """Payments knows one Alipay backend; the settings put the sandbox's in its place, and the real one never
    talks to the sandbox, whatever ALIPAY_SANDBOX says."""
    assert settings.OMS_PAYMENT_GATEWAYS["alipay"] == "oms.sandbox.backend.SandboxAlipayGateway"
    sandbox = get_gateway("alipay")
    assert isinstance(sandbox, SandboxAlipayGateway)
    assert sandbox.client("http://shop.test").config.gateway_url == "http://shop.test/sandbox/alipay/gateway.do"

    private, public = generate_key_pair()
    settings.ALIPAY_APP_ID, settings.ALIPAY_SELLER_ID = "2021000000000001", "2088000000000001"
    settings.ALIPAY_APP_PRIVATE_KEY, settings.ALIPAY_PUBLIC_KEY = private, public
    real = AlipayGateway().client("http://shop.test")
    assert (real.config.gateway_url, real.config.app_id) == (settings.ALIPAY_GATEWAY_URL, "2021000000000001")
