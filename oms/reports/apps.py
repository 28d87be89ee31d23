from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "oms.reports"
    label = "reports"
