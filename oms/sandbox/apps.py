from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    name = "oms.sandbox"
    label = "sandbox"
    verbose_name = _("Payment sandbox")

    def ready(self) -> None:
        from oms.sandbox import checks  # noqa: F401  (registers the system check refusing production)
