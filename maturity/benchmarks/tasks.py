"""Background work: rebuilding benchmark snapshots (run by `maturity worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def build_snapshots(
    source: str | None = None, year: int | None = None, force: bool = False
) -> list[dict[str, Any]]:
    """Rebuild the benchmark snapshots of the data sets whose results changed.

    With no source or year every data set is considered; each is rebuilt only if its inputs
    changed since its last build (or ``force``). Returns a summary per data set.
    """
    from .services import build_snapshots_for

    return [
        summary.as_dict() for summary in build_snapshots_for(source=source, year=year, force=force)
    ]
