from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "oms.payments"
    label = "payments"

    def ready(self) -> None:
        from oms.payments import checks  # noqa: F401  (registers the Alipay credentials check)
