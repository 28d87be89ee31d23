from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "oms.regions"
    label = "regions"
