from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "maturity.frameworks"
    label = "frameworks"
