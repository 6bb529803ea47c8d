from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "maturity.reviews"
    label = "reviews"
    verbose_name = "Peer review and validation"
