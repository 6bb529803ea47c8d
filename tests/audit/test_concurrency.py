"""Many writers appending at once, each in its own transaction (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from maturity.audit.models import AuditRecord
from maturity.audit.services import record
from maturity.audit.verification import verify_chain

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WRITERS = 12
APPENDS_EACH = 20


class Rollback(Exception):
    pass


def test_concurrent_writers_keep_the_chain_intact_and_gapless():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers with IMMEDIATE transactions; the lock is PostgreSQL's"
        )
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    committed = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            start.wait()
            for i in range(APPENDS_EACH):
                try:
                    with transaction.atomic():
                        made = record(
                            actor=None,
                            action="answer.saved",
                            target=("assessments.return", str(number)),
                            organisation=number,
                            after={"item": i},
                        )
                        # Every fifth change fails after being audited: its record must vanish
                        # without leaving a gap.
                        if i % 5 == 4:
                            raise Rollback
                    with lock:
                        committed.append((number, i, made.sequence))
                except Rollback:
                    pass
        except BaseException as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    expected = WRITERS * (APPENDS_EACH - APPENDS_EACH // 5)
    assert len(committed) == expected
    sequences = list(AuditRecord.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, expected + 1))
    assert sorted(s for _, _, s in committed) == sequences
    stored = set(AuditRecord.objects.values_list("organisation_id", "after__item"))
    assert stored == {(n, i) for n, i, _ in committed}
    result = verify_chain(batch_size=50)
    assert result.ok and result.checked == expected
