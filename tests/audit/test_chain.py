"""The chain's canonical form and the checker's diagnosis, on chains built in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest

from maturity.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    ChainChecker,
    StoredLink,
    canonical_json,
    chain_hash,
    format_timestamp,
)

LONDON_SUMMER = dt.timezone(dt.timedelta(hours=1))


def fields(n: int, **changes) -> dict:
    base = {
        "action": "answer.saved",
        "actor_id": 7,
        "actor_label": "Jane Smith",
        "after": {"sf.epr.l2.a": "met"},
        "before": {"sf.epr.l2.a": "not_met"},
        "occurred_at": dt.datetime(2025, 6, 1, 9, 0, 0, 123, tzinfo=dt.UTC)
        + dt.timedelta(seconds=n),
        "organisation_id": 12,
        "reason": "",
        "target_id": str(n),
        "target_type": "assessments.return",
    }
    return base | changes


@dataclasses.dataclass
class Row:
    sequence: int
    previous_hash: str
    hash: str
    fields: dict


def build(n: int) -> list[Row]:
    rows, previous = [], GENESIS_HASH
    for i in range(1, n + 1):
        content = fields(i)
        row = Row(i, previous, chain_hash(previous, content), content)
        rows.append(row)
        previous = row.hash
    return rows


def check(rows: list[Row]):
    by_hash = {r.hash: r.sequence for r in rows}
    by_previous = {}
    for r in sorted(rows, key=lambda r: r.sequence):
        by_previous.setdefault(r.previous_hash, r.sequence)
    checker = ChainChecker(
        find_by_hash=lambda h: 0 if h == GENESIS_HASH else by_hash.get(h),
        find_successor=by_previous.get,
    )
    for r in sorted(rows, key=lambda r: r.sequence):
        checker.feed(
            StoredLink(
                r.sequence, r.previous_hash, r.hash, chain_hash(r.previous_hash, r.fields) == r.hash
            )
        )
    return checker.finish(), checker.checked


def kinds(problems) -> list[tuple[int, str]]:
    return [(p.sequence, p.kind) for p in problems]


def renumber(rows: list[Row], start: int, by: int) -> None:
    for r in rows:
        if r.sequence >= start:
            r.sequence += by


# --- canonical form ----------------------------------------------------------------------------


def test_canonical_json_sorts_keys_without_whitespace():
    assert (
        canonical_json({"b": 1, "a": {"d": [1, 2], "c": "x"}}) == '{"a":{"c":"x","d":[1,2]},"b":1}'
    )


def test_timestamps_are_utc_with_microseconds():
    moment = dt.datetime(2025, 6, 1, 10, 0, 0, 5, tzinfo=LONDON_SUMMER)
    assert format_timestamp(moment) == "2025-06-01T09:00:00.000005Z"
    assert canonical_json({"t": moment}) == '{"t":"2025-06-01T09:00:00.000005Z"}'
    with pytest.raises(ValueError):
        format_timestamp(dt.datetime(2025, 6, 1))


def test_text_is_hashed_as_utf8_not_escaped():
    assert canonical_json({"n": "Zoë → met"}) == '{"n":"Zoë → met"}'


def test_whole_floats_hash_like_the_integers_a_database_may_return():
    assert canonical_json({"x": 1e20, "y": [2.0, 2.5]}) == canonical_json(
        {"x": 10**20, "y": [2, 2.5]}
    )


def test_nan_cannot_be_hashed():
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_chain_hash_is_sha256_of_previous_hash_and_canonical_fields():
    content = fields(1)
    expected_text = GENESIS_HASH + json.dumps(
        {**content, "occurred_at": "2025-06-01T09:00:01.000123Z"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert chain_hash(GENESIS_HASH, content) == hashlib.sha256(expected_text.encode()).hexdigest()


def test_every_hashed_field_changes_the_hash():
    content = fields(1)
    original = chain_hash(GENESIS_HASH, content)
    for name in HASHED_FIELDS:
        changed = dict(content)
        changed[name] = (
            content[name] + dt.timedelta(microseconds=1)
            if name == "occurred_at"
            else ("changed" if isinstance(content[name], str) else {"changed": 1})
        )
        assert chain_hash(GENESIS_HASH, changed) != original, name
    assert chain_hash("1" * 64, content) != original


def test_a_missing_field_is_refused():
    content = fields(1)
    del content["reason"]
    with pytest.raises(ValueError, match="reason"):
        chain_hash(GENESIS_HASH, content)


# --- diagnosis ---------------------------------------------------------------------------------


def test_an_intact_chain_has_no_problems():
    problems, checked = check(build(10))
    assert problems == [] and checked == 10


def test_an_empty_chain_has_no_problems():
    assert check([]) == ([], 0)


def test_a_changed_field_is_an_edit_of_that_record_only():
    rows = build(6)
    rows[3].fields["after"] = {"sf.epr.l2.a": "not_met"}
    problems, _ = check(rows)
    assert kinds(problems) == [(4, "edited")]
    assert "no longer match its hash" in problems[0].detail


def test_a_record_changed_and_rehashed_is_found_by_the_next_link():
    rows = build(6)
    rows[2].fields["reason"] = "covered up"
    rows[2].hash = chain_hash(rows[2].previous_hash, rows[2].fields)
    problems, _ = check(rows)
    assert kinds(problems) == [(3, "edited")]
    assert "Record 4 was chained to a version of record 3" in problems[0].detail


def test_a_deleted_record_is_reported_at_its_sequence():
    rows = build(6)
    del rows[2]
    problems, checked = check(rows)
    assert kinds(problems) == [(3, "deleted")] and checked == 5
    assert "Record 3 missing" in problems[0].detail


def test_several_deleted_records_are_one_problem():
    rows = build(8)
    del rows[2:5]
    problems, _ = check(rows)
    assert kinds(problems) == [(3, "deleted")]
    assert "Records 3 to 5 missing" in problems[0].detail


def test_deleting_the_first_record_is_found():
    rows = build(4)
    del rows[0]
    assert kinds(check(rows)[0]) == [(1, "deleted")]


def test_deleting_the_first_record_and_renumbering_is_found():
    rows = build(4)
    del rows[0]
    renumber(rows, 2, -1)
    assert kinds(check(rows)[0]) == [(1, "deleted")]


def test_renumbering_without_removing_anything_is_an_edit():
    rows = build(4)
    renumber(rows, 3, 1)
    problems, _ = check(rows)
    assert kinds(problems) == [(4, "edited")]
    assert "sequence numbers were changed" in problems[0].detail


def test_a_forged_record_slipped_in_is_inserted():
    rows = build(6)
    renumber(rows, 4, 1)
    forged_fields = fields(99, actor_label="Mallory")
    bogus_previous = hashlib.sha256(b"anything").hexdigest()
    rows.append(Row(4, bogus_previous, chain_hash(bogus_previous, forged_fields), forged_fields))
    problems, checked = check(rows)
    assert kinds(problems) == [(4, "inserted")] and checked == 7
    assert "record 5 follows record 3 directly" in problems[0].detail


def test_a_forged_record_with_a_wrong_hash_is_still_reported_once_as_inserted():
    rows = build(6)
    renumber(rows, 4, 1)
    rows.append(Row(4, "a" * 64, "b" * 64, fields(99)))
    assert kinds(check(rows)[0]) == [(4, "inserted")]


def test_a_forged_record_linked_to_its_predecessor_is_inserted():
    rows = build(6)
    renumber(rows, 4, 1)
    forged_fields = fields(99, actor_label="Mallory")
    rows.append(Row(4, rows[2].hash, chain_hash(rows[2].hash, forged_fields), forged_fields))
    problems, _ = check(rows)
    assert kinds(problems) == [(4, "inserted")]
    assert "record 5 follows record 3 directly" in problems[0].detail


def test_two_records_swapped_are_reordered():
    rows = build(6)
    rows[2].sequence, rows[3].sequence = 4, 3
    problems, checked = check(rows)
    assert kinds(problems) == [(3, "reordered"), (4, "reordered")] and checked == 6
    assert "follows record 4 in the chain" in problems[0].detail


def test_the_first_two_records_swapped_are_reordered():
    rows = build(4)
    rows[0].sequence, rows[1].sequence = 2, 1
    problems, _ = check(rows)
    assert kinds(problems) == [(1, "reordered"), (2, "reordered")]
    assert "it starts the chain" in problems[1].detail


def test_a_reversed_block_is_reported_record_by_record():
    rows = build(8)
    for r, sequence in zip(rows[2:5], (5, 4, 3), strict=True):
        r.sequence = sequence
    assert kinds(check(rows)[0]) == [(3, "reordered"), (4, "reordered"), (5, "reordered")]


def test_distant_records_swapped_are_reordered():
    rows = build(8)
    rows[1].sequence, rows[5].sequence = 6, 2
    problems, _ = check(rows)
    assert {p.kind for p in problems} == {"reordered"}
    assert {2, 6} <= {p.sequence for p in problems}


def test_a_duplicated_sequence_number_is_reported():
    rows = build(4)
    rows[3].sequence = 3
    problems, _ = check(rows)
    assert (3, "reordered") in kinds(problems)


def test_problems_read_as_a_sentence_with_the_record():
    rows = build(3)
    rows[1].fields["reason"] = "x"
    (problem,), _ = check(rows)
    assert str(problem).startswith("Record 2: edited. ")
