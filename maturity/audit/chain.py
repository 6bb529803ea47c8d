"""The audit hash chain without Django: the canonical form that is hashed, and the checker that
reads a stored chain in order and says what was changed and where.

Each record's hash is ``sha256(previous_hash + canonical_json(fields))`` where ``fields`` are
:data:`HASHED_FIELDS`. The sequence number is deliberately not hashed: a record's place is fixed
by ``previous_hash`` (the chain itself), which lets the checker tell a record moved or slipped in
from one whose contents were changed. Changing :data:`HASHED_FIELDS` or the canonical form
changes every hash, so it needs a new chain format, not an edit here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "action",
    "actor_id",
    "actor_label",
    "after",
    "before",
    "occurred_at",
    "organisation_id",
    "reason",
    "target_id",
    "target_type",
)

ProblemKind = Literal["edited", "deleted", "inserted", "reordered"]


def format_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds, e.g. ``2025-11-23T14:05:07.000123Z``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stable_numbers(value: Any) -> Any:
    # PostgreSQL jsonb prints a large whole float (1e20) as an integer, which reads back as an
    # int: whole floats are hashed as ints so a value hashes the same before and after storage.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _stable_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stable_numbers(item) for item in value]
    return value


def _encode_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    raise TypeError(f"{type(value).__name__} cannot be hashed in an audit record.")


def canonical_json(fields: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text, datetimes as :func:`format_timestamp`."""
    return json.dumps(
        _stable_numbers(dict(fields)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_encode_default,
    )


def chain_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    missing = set(HASHED_FIELDS) - set(fields)
    if missing:
        raise ValueError(f"Cannot hash an audit record without {sorted(missing)}.")
    content = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256((previous_hash + canonical_json(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredLink:
    """One stored record as the checker sees it."""

    sequence: int
    previous_hash: str
    hash: str
    content_matches: bool  # the hash recomputed from the stored fields equals the stored hash


@dataclass(frozen=True)
class Problem:
    sequence: int
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"Record {self.sequence}: {self.kind}. {self.detail}"


_START = StoredLink(sequence=0, previous_hash="", hash=GENESIS_HASH, content_matches=True)


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first} to {last}"


class ChainChecker:
    """Feed stored records in sequence order, then call :meth:`finish`.

    Memory stays constant however long the chain: the checker keeps the last two records of the
    chain and looks one record ahead. Where a link is broken it asks the database two questions
    (``find_by_hash``: which record has this hash; ``find_successor``: which record names this
    hash as its predecessor), so an intact chain costs no extra queries.
    """

    def __init__(
        self,
        *,
        find_by_hash: Callable[[str], int | None],
        find_successor: Callable[[str], int | None],
    ) -> None:
        self._find_by_hash = find_by_hash
        self._find_successor = find_successor
        self._chain_prev = _START  # the last record accepted into the chain
        self._chain_prev2: StoredLink | None = None  # the one before it
        self._last_sequence = 0  # the last sequence number read, chained or not
        self._pending: StoredLink | None = None
        self._out_of_place: set[int] = set()
        self.problems: list[Problem] = []
        self.checked = 0

    def feed(self, link: StoredLink) -> None:
        if self._pending is not None:
            self._examine(self._pending, following=link)
        self._pending = link

    def finish(self) -> list[Problem]:
        if self._pending is not None:
            self._examine(self._pending, following=None)
            self._pending = None
        return self.problems

    def _report(self, sequence: int, kind: ProblemKind, detail: str) -> None:
        self.problems.append(Problem(sequence=sequence, kind=kind, detail=detail))

    def _check_contents(self, record: StoredLink) -> None:
        if not record.content_matches:
            self._report(
                record.sequence,
                "edited",
                "Its contents no longer match its hash: a field was changed after it was written.",
            )

    def _accept(self, record: StoredLink, *, previous: StoredLink) -> None:
        self._chain_prev2 = previous
        self._chain_prev = record

    def _examine(self, record: StoredLink, *, following: StoredLink | None) -> None:
        self.checked += 1
        before = self._chain_prev
        expected = self._last_sequence + 1
        self._last_sequence = max(self._last_sequence, record.sequence)

        if record.sequence < expected:
            self._report(
                record.sequence,
                "reordered",
                f"Sequence number {record.sequence} is used more than once.",
            )
            return

        if record.previous_hash == before.hash:
            self._check_contents(record)
            if record.sequence > expected:
                self._report(
                    record.sequence,
                    "edited",
                    f"The chain links it directly to record {before.sequence}, but sequence "
                    f"numbers {expected} to {record.sequence - 1} are unused: sequence numbers "
                    "were changed.",
                )
            self._accept(record, previous=before)
            return

        if record.sequence > expected:
            self._check_contents(record)
            self._report(
                expected,
                "deleted",
                f"{_span(expected, record.sequence - 1).capitalize()} missing: record "
                f"{record.sequence} was written after a record that is no longer there.",
            )
            self._accept(record, previous=before)
            return

        # The chain runs from the record before this one straight to the next: this one was
        # slipped in (and nothing names it as a predecessor, so it is not a moved record).
        if (
            following is not None
            and following.previous_hash == before.hash
            and self._find_successor(record.hash) is None
        ):
            self._report(
                record.sequence,
                "inserted",
                f"It is not part of the chain: record {following.sequence} follows record "
                f"{before.sequence} directly.",
            )
            return

        # This record follows the one two back: the one in between was slipped in with a
        # correctly computed link to its predecessor.
        earlier = self._chain_prev2
        if (
            earlier is not None
            and record.previous_hash == earlier.hash
            and self._find_successor(before.hash) is None
        ):
            self.problems = [
                p
                for p in self.problems
                if not (p.sequence == before.sequence and p.kind == "edited")
            ]
            self._report(
                before.sequence,
                "inserted",
                f"It is not part of the chain: record {record.sequence} follows record "
                f"{earlier.sequence} directly.",
            )
            self._check_contents(record)
            self._accept(record, previous=earlier)
            return

        self._check_contents(record)
        predecessor = self._find_by_hash(record.previous_hash)
        if predecessor is not None:
            # Records that follow a record already reported as out of place are a consequence
            # of that move, not a second one.
            if predecessor not in self._out_of_place:
                where = (
                    "it starts the chain"
                    if predecessor == 0
                    else f"it follows record {predecessor} in the chain"
                )
                self._report(
                    record.sequence,
                    "reordered",
                    f"It is stored after record {before.sequence}, but {where}.",
                )
            self._out_of_place.add(record.sequence)
        elif before.sequence == 0:
            self._report(
                record.sequence,
                "deleted",
                "The first stored record does not start the chain: earlier records were removed "
                "and the rest renumbered, or the chain was rewritten.",
            )
        else:
            self._report(
                before.sequence,
                "edited",
                f"Record {record.sequence} was chained to a version of record {before.sequence} "
                "that no longer exists: it was changed and its hash recomputed, or a record "
                "after it was removed and the rest renumbered.",
            )
        self._accept(record, previous=before)
