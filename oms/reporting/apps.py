from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "oms.reporting"
    label = "reporting"
