from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "maturity.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks, dashboards and open data"
