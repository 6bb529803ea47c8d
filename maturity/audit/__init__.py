"""The audit trail: explicit, append-only, hash-chained records of every change.

Services call :func:`maturity.audit.services.record` inside their own transaction; nothing is
audited through signals (they miss bulk and raw writes). Audit data is evidence, not a source
of application state: features read status records, never the audit trail.
"""
