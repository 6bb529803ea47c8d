"""Small reads the pages need beyond the selectors: open comments per domain for the task list,
last year's return for the copy page, who saved an answer.

Each takes a return the caller has already loaded through ``selectors.get_return_for``, so
nothing here widens what a user can see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from maturity.core.framework import Edition

from .. import presenters
from ..models import Answer, Comment, Return


def open_comment_counts(return_: Return) -> dict[str, int]:
    """Unresolved threads per domain, in one query."""
    rows = (
        Comment.objects.filter(return_obj=return_, parent__isnull=True, resolved_at__isnull=True)
        .values("domain_id")
        .annotate(n=Count("id"))
    )
    return {row["domain_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class CopyPreview:
    previous: Return | None
    comparable: int
    total: int


def copy_preview(return_: Return, edition: Edition) -> CopyPreview:
    """How many of this return's domains can take last year's answers, and from which return."""
    from ..services.answers import previous_return

    previous = previous_return(return_)
    domains = edition.domains_for(return_.care_setting)
    comparable = sum(1 for domain in domains if domain.comparable_with is not None)
    return CopyPreview(previous=previous, comparable=comparable, total=len(domains))


def answers_by_item(return_: Return, item_ids: Iterable[str]) -> dict[str, Answer]:
    answers = Answer.objects.filter(return_obj=return_, item_id__in=list(item_ids)).select_related(
        "updated_by"
    )
    return {answer.item_id: answer for answer in answers}


def saved_by(answer: Any) -> str:
    if answer is None:
        return "Nobody"
    user = getattr(answer, "updated_by", None)
    return presenters.person_name(user) if user is not None else "Someone else"
