from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "maturity.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .guards import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="maturity.audit.sqlite")
