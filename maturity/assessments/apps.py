from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "maturity.assessments"
    label = "assessments"
