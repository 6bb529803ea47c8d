from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "maturity.national"
    label = "national"
    verbose_name = "National data set, bulk import and rescore"
    default_auto_field = "django.db.models.BigAutoField"
