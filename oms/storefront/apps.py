from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "oms.storefront"
    label = "storefront"
    verbose_name = "Storefront"
