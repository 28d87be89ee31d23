"""The sandbox answers as Alipay with keys it keeps in the database: it must never run in production."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register


# deploy=False (the default): runs on every `manage.py check`, migrate and runserver, not only with --deploy,
# because a forgotten sandbox in production would accept forged payments.
@register(Tags.security, deploy=False)
def check_sandbox_not_in_production(app_configs, **kwargs):  # noqa: ARG001
    if getattr(settings, "OMS_ENV", "development") == "production" and apps.is_installed("oms.sandbox"):
        return [
            Error(
                "The payment sandbox (oms.sandbox) is installed while OMS_ENV is 'production'.",
                hint="Remove 'oms.sandbox' from INSTALLED_APPS (and its URLs) in production.",
                id="oms.E010",
            )
        ]
    return []
