"""System checks for carriers: every configured backend loads, has a webhook secret, and the simulator stays out
of production (its secret is public, so anyone could post tracking events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.module_loading import import_string

from oms.shipping.carriers.base import CarrierBackend


@register()
def check_carriers(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:  # noqa: ARG001
    errors: list[CheckMessage] = []
    for code, path in settings.OMS_CARRIERS.items():
        try:
            backend = import_string(path)
        except ImportError as exc:
            errors.append(Error(f"Carrier {code!r}: cannot import {path}: {exc}", id="oms.E020"))
            continue
        if not (isinstance(backend, type) and issubclass(backend, CarrierBackend)):
            errors.append(Error(f"Carrier {code!r}: {path} is not a CarrierBackend.", id="oms.E021"))
        if not settings.OMS_CARRIER_SECRETS.get(code):
            errors.append(
                Error(
                    f"Carrier {code!r} has no webhook secret.",
                    hint=f"Set OMS_CARRIER_{code.upper()}_SECRET.",
                    id="oms.E022",
                )
            )
    return errors


# deploy=False: runs on every check, migrate and runserver, like the payment sandbox's check.
@register(Tags.security, deploy=False)
def check_simulator_not_in_production(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> Sequence[CheckMessage]:  # noqa: ARG001
    if getattr(settings, "OMS_ENV", "development") == "production" and "sim" in settings.OMS_CARRIERS:
        return [
            Error(
                "The carrier simulator ('sim' in OMS_CARRIERS) is on while OMS_ENV is 'production'.",
                hint="Set OMS_CARRIER_SIM=false in production.",
                id="oms.E023",
            )
        ]
    return []
