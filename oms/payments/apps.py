from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "oms.payments"
    label = "payments"
