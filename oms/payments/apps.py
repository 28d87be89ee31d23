from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "oms.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from oms.payments import checks  # noqa: F401  (registers the Alipay credentials check)
