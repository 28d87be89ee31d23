"""System checks that refuse dangerous production settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):  # noqa: ARG001
    errors = []
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        errors.append(Error("SECRET_KEY is the development default.", hint="Set SECRET_KEY.", id="oms.E001"))
    if settings.DEBUG:
        errors.append(Error("DEBUG is on.", hint="Unset DEBUG in production.", id="oms.E002"))
    return errors
