from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "oms.common"
    label = "common"

    def ready(self) -> None:
        from oms.common import checks  # noqa: F401  (registers system checks)
