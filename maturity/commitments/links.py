"""Links from commitments to the framework: WGLL 2025 domain ids and contextual question ids.

Links are stored as ids and checked against the wgll-2025 edition shipped with the service (read
from its YAML files, so the check works before the editions are synced into the database).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from maturity.core.framework import Edition, load_edition
from maturity.frameworks.services import EDITIONS_DIR

LINK_EDITION = "wgll-2025"


@lru_cache(maxsize=1)
def link_edition() -> Edition:
    return load_edition(EDITIONS_DIR / LINK_EDITION)


def domain_names() -> dict[str, str]:
    return {d.id: d.name for d in link_edition().domains}


def question_texts() -> dict[str, str]:
    return {q.id: q.text for q in link_edition().contextual_questions}


def parse_ids(raw: str | Iterable[str]) -> list[str]:
    """Ids from a comma-, space- or newline-separated string (or a list), in order, no repeats."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def link_errors(domain_ids: Iterable[str], question_ids: Iterable[str]) -> dict[str, list[str]]:
    """Messages by field for ids that are not in the edition; empty when all are known."""
    errors: dict[str, list[str]] = {}
    unknown_domains = [i for i in domain_ids if i not in domain_names()]
    if unknown_domains:
        errors["domain_ids"] = [
            f"{', '.join(unknown_domains)}: not a domain of {LINK_EDITION} "
            "(domain ids look like sf.epr)."
        ]
    unknown_questions = [i for i in question_ids if i not in question_texts()]
    if unknown_questions:
        errors["question_ids"] = [
            f"{', '.join(unknown_questions)}: not a contextual question of {LINK_EDITION} "
            "(question ids look like ctx.epr_in_place)."
        ]
    return errors
