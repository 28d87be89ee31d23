from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "oms.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing (suppliers and purchase orders)"
