"""System check for the real Alipay: all of its credentials or none (none means the local sandbox, which
oms.sandbox's own check refuses in production)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from oms.payments.alipay.signing import load_private_key, load_public_key

ALIPAY_CREDENTIALS = ("ALIPAY_APP_ID", "ALIPAY_SELLER_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY")


# deploy=False: on every check, migrate and serve. A half-configured Alipay cannot sign a request or verify a
# notification, so every payment would fail; better to refuse to start.
@register(Tags.security, deploy=False)
def check_alipay_credentials(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> Sequence[CheckMessage]:  # noqa: ARG001
    if settings.ALIPAY_SANDBOX:
        return []
    missing = [name for name in ALIPAY_CREDENTIALS if not getattr(settings, name, "")]
    if missing:
        return [
            Error(
                f"Alipay is half configured: {', '.join(missing)} not set.",
                hint="Set all of " + ", ".join(ALIPAY_CREDENTIALS) + " (keys as PEM text).",
                id="oms.E030",
            )
        ]
    errors = []
    for name, load in (("ALIPAY_APP_PRIVATE_KEY", load_private_key), ("ALIPAY_PUBLIC_KEY", load_public_key)):
        try:
            load(getattr(settings, name))
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            errors.append(
                Error(
                    f"{name} is not a usable RSA key: {exc}",
                    hint="Paste the key as PEM text (or the bare base64 the Alipay console shows).",
                    id="oms.E031",
                )
            )
    return errors
