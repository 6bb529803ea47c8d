"""The save path's query count is small and does not grow with the return's size (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity.accounts.models import User
from maturity.accounts.services import membership_grant
from maturity.assessments.models import Cycle, Return
from maturity.assessments.services import answer_save
from maturity.frameworks.selectors import get_edition

MAX_SAVE_QUERIES = 16


def _criteria(return_: Return) -> list[str]:
    edition = get_edition(return_.cycle.edition.edition_id)
    return [c for s in edition.scoring_specs(return_.care_setting) for c in s.criterion_ids]


def _count(user, return_, item, version) -> int:
    with CaptureQueriesContext(connection) as ctx:
        answer_save(by=user, return_=return_, item_id=item, value="met", expected_version=version)
    return len(ctx.captured_queries)


def test_save_queries_do_not_grow_with_answers(small_national):
    cycle = Cycle.objects.get(year=2026)
    empty = Return.objects.filter(cycle=cycle, status="not_started").first()
    full = Return.objects.filter(cycle=cycle, status="in_progress").first()
    assert empty is not None and full is not None and full.answers.count() > 20
    counts = []
    for i, return_ in enumerate((empty, full)):
        user = User.objects.create(username=f"q{i}")
        membership_grant(by=None, user=user, organisation=return_.organisation, role="contributor")
        answered = set(return_.answers.values_list("item_id", flat=True))
        item = next(c for c in _criteria(return_) if c not in answered)
        counts.append(_count(user, Return.objects.get(pk=return_.pk), item, None))
        # A second save of the same item (an update at version 1) costs no more.
        counts.append(_count(user, Return.objects.get(pk=return_.pk), item, 1))
    assert max(counts) <= MAX_SAVE_QUERIES, counts
    # The return with many answers costs what the empty one does (first save may also move the
    # return to in progress: one update and one status-change row).
    assert counts[2] <= counts[0] and counts[3] == counts[1], counts
