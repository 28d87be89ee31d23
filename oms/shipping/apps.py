from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "oms.shipping"
    label = "shipping"
    verbose_name = "Shipping"

    def ready(self) -> None:
        from oms.shipping import checks  # noqa: F401  (registers the carrier configuration checks)
