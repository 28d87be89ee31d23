from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "oms.shipping"
    label = "shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from oms.shipping import checks  # noqa: F401  (registers the carrier configuration checks)
