"""Reading the audit trail for display: one target's history, one organisation's history.

Newest first, a page at a time. For evidence and oversight only; features must not read these
(use status records instead).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from .models import AuditRecord

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


def _page(queryset, page: int | str | None, per_page: int) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    # get_page turns a missing or out-of-range page number into the nearest real page.
    return Paginator(queryset.order_by("-sequence"), per_page).get_page(page)


def records_for_target(
    target_type: str,
    target_id: str | int,
    *,
    page: int | str | None = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> Page:
    """Records about one thing; ``target_key(instance)`` gives the pair for a model instance."""
    queryset = AuditRecord.objects.filter(target_type=target_type, target_id=str(target_id))
    return _page(queryset, page, per_page)


def records_for_organisation(
    organisation_id: int,
    *,
    page: int | str | None = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> Page:
    queryset = AuditRecord.objects.filter(organisation_id=organisation_id)
    return _page(queryset, page, per_page)
