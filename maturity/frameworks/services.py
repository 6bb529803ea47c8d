"""Writes for framework editions: copying the YAML editions into the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from maturity.core.framework import Edition, load_editions, source_sha256

from .models import FrameworkEdition

EDITIONS_DIR = Path(__file__).resolve().parent / "editions"

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


class EditionChangeRefused(Exception):
    """A published edition's content differs from the stored one; scores reference it."""

    def __init__(self, edition_ids: list[str]) -> None:
        self.edition_ids = edition_ids
        names = ", ".join(edition_ids)
        super().__init__(
            f"The published edition(s) {names} differ from the stored content. Scores refer to a "
            "published edition, so it cannot be rewritten: restore its files, or publish the "
            "change as a new edition (a correction is a new edition id with a change note)."
        )


@transaction.atomic
def sync_editions(*, editions_dir: Path = EDITIONS_DIR) -> list[FrameworkEdition]:
    """Load every edition under ``editions_dir`` and store it; all or nothing.

    An edition whose source files are unchanged (same sha256) is not written. A draft whose files
    changed is rewritten; a published edition whose content changed is refused with
    :class:`EditionChangeRefused` (nothing is written). If only the bytes changed (a comment, say)
    and the resolved content is the same, only the digest is updated. Editions that are no longer
    in the folder stay in the database: cycles and scores may refer to them.

    Raises :class:`~maturity.core.framework.EditionError` if any edition is invalid. Each row
    returned carries ``sync_outcome``: ``created``, ``updated`` or ``unchanged``.
    """
    editions = load_editions(Path(editions_dir))
    stored = {
        row.edition_id: row
        for row in FrameworkEdition.objects.select_for_update().filter(
            edition_id__in=list(editions)
        )
    }
    now = timezone.now()
    rows: list[FrameworkEdition] = []
    refused: list[str] = []
    for edition_id, edition in editions.items():
        sha = source_sha256(Path(editions_dir) / edition_id)
        content = edition.model_dump(mode="json")
        row = stored.get(edition_id)
        if row is None:
            row = FrameworkEdition(edition_id=edition_id)
            _fill(row, edition, sha, content, now)
            row.save()
            row.sync_outcome = CREATED
        elif row.sha256 == sha:
            row.sync_outcome = UNCHANGED
        elif row.content == content:
            row.sha256 = sha
            row.save(update_fields=["sha256"])
            row.sync_outcome = UNCHANGED
        elif row.is_published:
            refused.append(edition_id)
            continue
        else:
            _fill(row, edition, sha, content, now)
            row.save()
            row.sync_outcome = UPDATED
        rows.append(row)
    if refused:
        raise EditionChangeRefused(refused)
    return rows


def _fill(
    row: FrameworkEdition, edition: Edition, sha: str, content: dict[str, Any], now: dt.datetime
) -> None:
    row.framework = edition.framework
    row.framework_name = edition.framework_name
    row.year = edition.year
    row.title = edition.title
    row.status = edition.status.value
    row.scoring_model = edition.scoring_model.value
    row.illustrative = edition.illustrative
    row.previous_edition_id = edition.previous_edition or ""
    row.sha256 = sha
    row.content = content
    row.loaded_at = now
