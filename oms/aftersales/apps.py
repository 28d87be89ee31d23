from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "oms.aftersales"
    label = "aftersales"
    verbose_name = "After-sales (returns)"
