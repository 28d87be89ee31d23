"""Production settings come from the environment: HTTPS-only cookies, HSTS, the SSL redirect and the proxy header
are on by default with OMS_ENV=production (off otherwise, each settable), and `oms check --deploy` is clean on a
correctly configured production environment but refuses, with an error, an Alipay that is half configured.

Each case runs in a fresh process, as settings are read once at start."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# What these tests set themselves: nothing of the calling environment may leak in.
OWN = ("OMS_", "ALIPAY_", "SECURE_", "SESSION_COOKIE_", "CSRF_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL")
SECURITY = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
]


@pytest.fixture(scope="module")
def alipay_keys() -> dict[str, str]:
    from oms.payments.alipay.signing import generate_key_pair

    app_private, _ = generate_key_pair()
    _, alipay_public = generate_key_pair()
    return {"ALIPAY_APP_PRIVATE_KEY": app_private, "ALIPAY_PUBLIC_KEY": alipay_public}


@pytest.fixture
def production(tmp_path, alipay_keys) -> dict[str, str]:
    """A correctly configured production environment (real Alipay credentials, a strong key, a host name)."""
    return {
        "OMS_ENV": "production",
        "OMS_VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "shop.example.com",
        "ALIPAY_APP_ID": "2021000000000001",
        "ALIPAY_SELLER_ID": "2088000000000001",
        **alipay_keys,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OWN)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "oms.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(env: dict[str, str]) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY!r}}}))"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _check_deploy(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return _run(["-m", "oms.cli", "check", "--deploy", *extra], env)


def test_production_turns_https_settings_on(production):
    assert _settings(production) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_each_https_setting_is_its_own_variable(production, tmp_path):
    changed = {
        **production,
        "SESSION_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "off",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_PROXY_SSL_HEADER": "X-Scheme:https",
    }
    values = _settings(changed)
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_SCHEME", "https"]
    development = _settings({"OMS_VAR_DIR": str(tmp_path)})
    assert development == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_check_deploy_is_clean_on_a_configured_production(production):
    result = _check_deploy(production, "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("unset", ["ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "ALIPAY_SELLER_ID"])
def test_check_deploy_refuses_a_half_configured_alipay(production, unset):
    result = _check_deploy({**production, unset: ""})  # the default fail level: errors only
    assert result.returncode != 0
    assert "ERRORS:" in result.stderr and "oms.E030" in result.stderr and unset in result.stderr


def test_check_refuses_an_alipay_key_that_is_not_a_key(production):
    result = _check_deploy({**production, "ALIPAY_PUBLIC_KEY": "not a key"})
    assert result.returncode != 0
    assert "oms.E031" in result.stderr and "ALIPAY_PUBLIC_KEY" in result.stderr
