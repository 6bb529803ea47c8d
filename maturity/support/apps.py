from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "maturity.support"
    label = "support"
    verbose_name = "Targeted support and peer learning"
