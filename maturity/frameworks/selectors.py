"""Reads for framework editions. Editions are public: no organisation scoping applies."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from maturity.core.framework import Domain, Edition, EditionDiff, diff_editions
from maturity.core.vocab import CareSetting

from .models import FrameworkEdition


class EditionNotFound(LookupError):
    def __init__(self, edition_id: str) -> None:
        self.edition_id = edition_id
        super().__init__(f"no framework edition {edition_id!r} has been loaded")


# Parsed editions by id, kept with the sha256 they were parsed from: a re-synced draft is
# re-read, an unchanged edition is parsed once per process.
_cache: dict[str, tuple[str, Edition]] = {}
_lock = threading.Lock()


def get_edition(edition_id: str, *, sha256: str | None = None) -> Edition:
    """The resolved edition as stored; raises :class:`EditionNotFound`.

    A caller that has just read the edition's ``sha256`` (answer saves read it with the return)
    passes it, which saves a query when the cached edition is current."""
    sha = sha256 or (
        FrameworkEdition.objects.filter(edition_id=edition_id)
        .values_list("sha256", flat=True)
        .first()
    )
    if sha is None:
        raise EditionNotFound(edition_id)
    cached = _cache.get(edition_id)
    if cached is not None and cached[0] == sha:
        return cached[1]
    content = (
        FrameworkEdition.objects.filter(edition_id=edition_id, sha256=sha)
        .values_list("content", flat=True)
        .first()
    )
    if content is None:  # re-synced between the two reads
        return get_edition(edition_id)
    edition = Edition.model_validate(content)
    with _lock:
        _cache[edition_id] = (sha, edition)
    return edition


def get_edition_row(edition_id: str) -> FrameworkEdition:
    row = FrameworkEdition.objects.defer("content").filter(edition_id=edition_id).first()
    if row is None:
        raise EditionNotFound(edition_id)
    return row


def list_editions() -> list[FrameworkEdition]:
    """Every loaded edition (without its content), by framework then newest first."""
    return list(
        FrameworkEdition.objects.defer("content").order_by("framework", "-year", "edition_id")
    )


def edition_diff(old_id: str, new_id: str) -> EditionDiff:
    """What changed from one edition to another; raises :class:`EditionNotFound`."""
    return diff_editions(get_edition(old_id), get_edition(new_id))


def default_diff_pair() -> tuple[str, str] | None:
    """The newest published edition that has its previous edition loaded, with that edition."""
    rows = list_editions()
    loaded = {r.edition_id for r in rows}
    candidates = [r for r in rows if r.previous_edition_id in loaded]
    candidates.sort(key=lambda r: (r.is_published, not r.illustrative, r.year), reverse=True)
    if not candidates:
        return None
    return candidates[0].previous_edition_id, candidates[0].edition_id


@dataclass(frozen=True)
class PillarSection:
    id: str
    name: str
    description: str
    domains: list[Domain]


def pillar_sections(
    edition: Edition, care_setting: CareSetting | None = None
) -> list[PillarSection]:
    """Each pillar with its domains, for one care setting or for all."""
    return [
        PillarSection(
            id=pillar.id,
            name=pillar.name,
            description=pillar.description,
            domains=edition.domains_in(pillar.id, care_setting),
        )
        for pillar in edition.pillars
    ]
