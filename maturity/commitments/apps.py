from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "maturity.commitments"
    label = "commitments"
