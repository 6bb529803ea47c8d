from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "maturity.results"
    label = "results"
