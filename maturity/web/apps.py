from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "maturity.web"
    label = "web"
