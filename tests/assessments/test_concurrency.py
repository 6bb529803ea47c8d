"""Several people saving at once, each in their own transaction on their own connection
(PostgreSQL: SQLite runs one writer at a time, so there is nothing to race)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from maturity.assessments import services
from maturity.assessments.exceptions import AnswerConflict, ReturnLocked
from maturity.assessments.models import Answer, AnswerRevision, ReturnStatus, ReturnStatusChange
from maturity.assessments.services import AnswerChange
from maturity.audit.models import AuditRecord
from maturity.audit.verification import verify_chain
from maturity.frameworks.selectors import get_edition

from .factories import answer_everything, return_of, save

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the races are PostgreSQL's")


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same moment; return what each returned or raised."""
    start = threading.Barrier(len(workers))
    outcomes: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = work()
        except BaseException as error:  # kept: a thread's exception is otherwise lost
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_writers_on_one_item_with_the_same_version_exactly_one_wins(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    first = save(alpha, cohort.alpha_contributor, "sf.epr.l1.a", "na")
    people = {"met": cohort.alpha_contributor, "not_met": cohort.alpha_contributor_2}

    def writer(value: str) -> Callable[[], Any]:
        return lambda: services.answer_save(
            by=people[value],
            return_=alpha,
            item_id="sf.epr.l1.a",
            value=value,
            expected_version=first.version,
        )

    outcomes = run_together([writer("met"), writer("not_met")])
    wins = [o for o in outcomes if isinstance(o, Answer)]
    conflicts = [o for o in outcomes if isinstance(o, AnswerConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    winner, loser = wins[0], conflicts[0]
    assert winner.version == 2
    assert (loser.current_value, loser.current_version) == (winner.value, 2)
    assert loser.attempted_value != winner.value
    stored = Answer.objects.get(return_obj=alpha, item_id="sf.epr.l1.a")
    assert (stored.value, stored.version) == (winner.value, 2)
    assert list(
        AnswerRevision.objects.filter(answer=stored).values_list("version", "new_value")
    ) == [(1, "na"), (2, winner.value)]


def test_two_writers_answering_an_empty_item_at_once(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")

    def writer(by, value: str) -> Callable[[], Any]:
        return lambda: services.answer_save(
            by=by, return_=alpha, item_id="sf.epr.l1.a", value=value, expected_version=None
        )

    outcomes = run_together(
        [writer(cohort.alpha_contributor, "met"), writer(cohort.alpha_contributor_2, "not_met")]
    )
    wins = [o for o in outcomes if isinstance(o, Answer)]
    conflicts = [o for o in outcomes if isinstance(o, AnswerConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    assert (conflicts[0].current_value, conflicts[0].current_version) == (wins[0].value, 1)
    assert Answer.objects.get(return_obj=alpha, item_id="sf.epr.l1.a").value == wins[0].value


def test_twenty_writers_on_different_items_of_one_return_are_all_saved(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    criteria = [c.id for d in get_edition("wgll-2025").domains_for("acute") for c in d.criteria]
    items = criteria[:20]
    writers = [cohort.alpha_contributor, cohort.alpha_contributor_2, cohort.alpha_submitter]

    outcomes = run_together(
        [
            (
                lambda i=i, item=item: services.answer_save(
                    by=writers[i % 3],
                    return_=alpha,
                    item_id=item,
                    value="met",
                    expected_version=None,
                )
            )
            for i, item in enumerate(items)
        ]
    )
    assert all(isinstance(o, Answer) for o in outcomes), outcomes
    stored = dict(Answer.objects.filter(return_obj=alpha).values_list("item_id", "version"))
    assert stored == dict.fromkeys(items, 1)
    assert AnswerRevision.objects.filter(return_obj=alpha).count() == 20
    # The return started exactly once, however many first answers raced.
    assert list(
        ReturnStatusChange.objects.filter(return_obj=alpha).values_list("from_status", "to_status")
    ) == [("not_started", "in_progress")]
    alpha.refresh_from_db()
    assert alpha.status == ReturnStatus.IN_PROGRESS
    assert AuditRecord.objects.filter(action="answer.saved").count() == 20
    assert verify_chain().ok


def test_nothing_is_lost_when_writers_retry_after_conflicts(cohort, cycle):
    """Ten people each append five notes to one narrative, re-reading after each conflict, as
    the page does when someone chooses to keep both: every note survives."""
    alpha = return_of(cycle, cohort.alpha, "acute")
    item = "narrative:sf.epr"
    save(alpha, cohort.alpha_contributor, item, "Notes:")
    people = [cohort.alpha_contributor, cohort.alpha_contributor_2, cohort.alpha_submitter]

    def writer(number: int) -> Callable[[], int]:
        def work() -> int:
            conflicts = 0
            for note in range(5):
                while True:
                    current = Answer.objects.get(return_obj=alpha, item_id=item)
                    try:
                        services.answer_save(
                            by=people[number % 3],
                            return_=alpha,
                            item_id=item,
                            value=f"{current.value} [{number}.{note}]",
                            expected_version=current.version,
                        )
                        break
                    except AnswerConflict:
                        conflicts += 1
            return conflicts

        return work

    outcomes = run_together([writer(n) for n in range(10)])
    assert all(isinstance(o, int) for o in outcomes), outcomes
    final = Answer.objects.get(return_obj=alpha, item_id=item)
    assert final.version == 51
    assert all(f"[{n}.{k}]" in final.value for n in range(10) for k in range(5))
    versions = list(
        AnswerRevision.objects.filter(answer=final)
        .order_by("version")
        .values_list("version", flat=True)
    )
    assert versions == list(range(1, 52))  # every acknowledged save is in the history
    assert sum(outcomes) > 0  # they did collide


def test_overlapping_batches_keep_the_first_answer_and_report_the_rest(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    criteria = [c.id for d in get_edition("wgll-2025").domains_for("acute") for c in d.criteria]
    shared, only_a, only_b = criteria[:5], criteria[5:10], criteria[10:15]

    def batch(by, value: str, items: list[str]) -> Callable[[], Any]:
        return lambda: services.answers_save(
            by=by, return_=alpha, changes=[AnswerChange(i, value, None) for i in items]
        )

    a, b = run_together(
        [
            batch(cohort.alpha_contributor, "met", shared + only_a),
            batch(cohort.alpha_contributor_2, "not_met", shared + only_b),
        ]
    )
    assert not a.errors and not b.errors
    stored = dict(Answer.objects.filter(return_obj=alpha).values_list("item_id", "value"))
    assert set(stored) == set(shared + only_a + only_b)
    assert all(stored[i] == "met" for i in only_a) and all(stored[i] == "not_met" for i in only_b)
    # Each shared item was answered by exactly one of them; the other got a conflict for it.
    for item in shared:
        won = {x for x, result in (("a", a), ("b", b)) if item in {s.item_id for s in result.saved}}
        lost = {
            x for x, result in (("a", a), ("b", b)) if item in {c.item_id for c in result.conflicts}
        }
        assert len(won) == 1 and won | lost == {"a", "b"}, (item, won, lost)


def test_a_commit_and_saves_racing_never_leave_a_change_after_the_commit(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha, cohort.alpha_contributor)
    narratives = [f"narrative:{d.id}" for d in get_edition("wgll-2025").domains_for("acute")]

    def writer(item: str) -> Callable[[], Any]:
        return lambda: services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha,
            item_id=item,
            value="Late words",
            expected_version=None,
        )

    outcomes = run_together(
        [lambda: services.return_commit(by=cohort.alpha_submitter, return_=alpha)]
        + [writer(item) for item in narratives[:15]]
    )
    assert not isinstance(outcomes[0], BaseException), outcomes[0]
    saves = outcomes[1:]
    assert all(isinstance(o, Answer | ReturnLocked) for o in saves), saves
    committed_at = ReturnStatusChange.objects.get(return_obj=alpha, to_status="committed").at
    last_change = AnswerRevision.objects.filter(return_obj=alpha).order_by("-at").first().at
    assert last_change <= committed_at
    landed = {o.item_id for o in saves if isinstance(o, Answer)}
    assert (
        set(
            Answer.objects.filter(return_obj=alpha, item_id__startswith="narrative:").values_list(
                "item_id", flat=True
            )
        )
        == landed
    )
