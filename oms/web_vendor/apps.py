from django.apps import AppConfig


class WebVendorConfig(AppConfig):
    name = "oms.web_vendor"
    label = "web_vendor"
    verbose_name = "Web: shared static files and templates"
