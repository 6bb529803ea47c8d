"""Checking the stored audit chain: ``maturity audit verify``.

The chain reveals any edit, deletion, insertion or reordering inside it. What it cannot reveal
alone is the loss of its newest records, or a rewrite of everything after some point, because
the remaining chain is still consistent. For that, note the head (``maturity audit head``)
somewhere the database's administrators cannot write, and pass it back as an anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .chain import GENESIS_HASH, HASHED_FIELDS, ChainChecker, Problem, StoredLink, chain_hash
from .models import AuditRecord

DEFAULT_BATCH_SIZE = 2000

_ANCHOR = re.compile(r"(?P<sequence>[1-9][0-9]*):(?P<hash>[0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """A record's sequence and hash, noted outside the database."""

    sequence: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        match = _ANCHOR.fullmatch(text.strip().lower())
        if match is None:
            raise ValueError(
                f"An anchor is SEQUENCE:SHA256-HEX as printed by `audit head`: {text!r}"
            )
        return cls(sequence=int(match["sequence"]), hash=match["hash"])

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"


@dataclass
class VerificationResult:
    ok: bool
    checked: int
    problems: list[Problem] = field(default_factory=list)
    head: Anchor | None = None  # the last record read


def chain_head() -> Anchor | None:
    head = AuditRecord.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return Anchor(sequence=head[0], hash=head[1]) if head else None


def _find_by_hash(value: str) -> int | None:
    if value == GENESIS_HASH:
        return 0
    return AuditRecord.objects.filter(hash=value).values_list("sequence", flat=True).first()


def _find_successor(value: str) -> int | None:
    return (
        AuditRecord.objects.filter(previous_hash=value)
        .order_by("sequence")
        .values_list("sequence", flat=True)
        .first()
    )


def _check_anchor(anchor: Anchor, head: Anchor | None) -> list[Problem]:
    stored = (
        AuditRecord.objects.filter(sequence=anchor.sequence).values_list("hash", flat=True).first()
    )
    if stored is None:
        last = head.sequence if head else 0
        return [
            Problem(
                sequence=anchor.sequence,
                kind="deleted",
                detail=f"The anchor names record {anchor.sequence}, but the chain ends at record "
                f"{last}: the newest records were removed.",
            )
        ]
    if stored != anchor.hash:
        return [
            Problem(
                sequence=anchor.sequence,
                kind="edited",
                detail="Its hash differs from the anchor's: the chain was rewritten from this "
                "record or before it.",
            )
        ]
    return []


def verify_chain(
    *, batch_size: int = DEFAULT_BATCH_SIZE, anchor: Anchor | None = None
) -> VerificationResult:
    """Read every record in sequence order, in batches, and report each break in the chain."""
    checker = ChainChecker(find_by_hash=_find_by_hash, find_successor=_find_successor)
    rows = (
        AuditRecord.objects.order_by("sequence")
        .values_list("sequence", "previous_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=batch_size)
    )
    head: Anchor | None = None
    for sequence, previous_hash, stored_hash, *content in rows:
        recomputed = chain_hash(previous_hash, dict(zip(HASHED_FIELDS, content, strict=True)))
        checker.feed(
            StoredLink(
                sequence=sequence,
                previous_hash=previous_hash,
                hash=stored_hash,
                content_matches=recomputed == stored_hash,
            )
        )
        head = Anchor(sequence=sequence, hash=stored_hash)
    problems = checker.finish()
    if anchor is not None:
        problems = problems + _check_anchor(anchor, head)
    return VerificationResult(
        ok=not problems, checked=checker.checked, problems=problems, head=head
    )
