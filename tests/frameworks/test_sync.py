from __future__ import annotations

import shutil

import pytest

from maturity.core.framework import EditionError
from maturity.frameworks import selectors
from maturity.frameworks.models import FrameworkEdition
from maturity.frameworks.services import EditionChangeRefused, sync_editions

from .builders import write_valid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    selectors._cache.clear()
    yield
    selectors._cache.clear()


def _copy_shipped(editions_dir, tmp_path):
    target = tmp_path / "editions"
    shutil.copytree(editions_dir, target)
    return target


def test_sync_stores_every_shipped_edition(synced, editions_dir):
    assert set(synced) == {p.name for p in editions_dir.iterdir() if (p / "edition.yaml").exists()}
    row = FrameworkEdition.objects.get(edition_id="wgll-2025")
    assert (row.framework, row.year, row.status, row.scoring_model) == (
        "wgll",
        2025,
        "published",
        "cumulative_levels",
    )
    assert row.previous_edition_id == "wgll-2024" and len(row.sha256) == 64
    assert len(row.content["domains"]) == 48
    assert FrameworkEdition.objects.get(edition_id="infrastructure-stages-demo").illustrative
    assert all(r.sync_outcome == "created" for r in synced.values())


def test_sync_is_idempotent(tmp_path, editions_dir, django_assert_max_num_queries):
    folder = _copy_shipped(editions_dir, tmp_path)
    first = {r.edition_id: (r.pk, r.loaded_at) for r in sync_editions(editions_dir=folder)}
    # One read of the stored rows and no writes at all.
    with django_assert_max_num_queries(3):
        second = sync_editions(editions_dir=folder)
    assert {r.edition_id: (r.pk, r.loaded_at) for r in second} == first
    assert all(r.sync_outcome == "unchanged" for r in second)
    assert FrameworkEdition.objects.count() == len(first)


def test_changed_draft_is_rewritten(tmp_path, editions_dir):
    folder = _copy_shipped(editions_dir, tmp_path)
    sync_editions(editions_dir=folder)
    before = selectors.get_edition("wgll-2026-draft")
    edition_file = folder / "wgll-2026-draft" / "edition.yaml"
    edition_file.write_text(
        edition_file.read_text().replace(
            "title: What Good Looks Like digital maturity assessment 2026 (draft)",
            "title: WGLL 2026 consultation draft",
        )
    )
    rows = {r.edition_id: r for r in sync_editions(editions_dir=folder)}
    assert rows["wgll-2026-draft"].sync_outcome == "updated"
    assert rows["wgll-2025"].sync_outcome == "unchanged"
    assert (
        FrameworkEdition.objects.get(edition_id="wgll-2026-draft").title
        == "WGLL 2026 consultation draft"
    )
    # The in-process cache notices the new digest.
    after = selectors.get_edition("wgll-2026-draft")
    assert before.title != after.title == "WGLL 2026 consultation draft"


def test_changed_published_edition_is_refused_and_nothing_is_written(tmp_path, editions_dir):
    folder = _copy_shipped(editions_dir, tmp_path)
    sync_editions(editions_dir=folder)
    stored = dict(FrameworkEdition.objects.values_list("edition_id", "sha256"))
    draft = folder / "wgll-2026-draft" / "edition.yaml"
    draft.write_text(draft.read_text().replace("status: draft", "status: draft\n# edited"))
    domains = folder / "wgll-2025" / "domains" / "well_led.yaml"
    domains.write_text(
        domains.read_text().replace("Digital and data strategy", "Digital strategy", 1)
    )
    with pytest.raises(EditionChangeRefused) as caught:
        sync_editions(editions_dir=folder)
    # wgll-2024 and the 2026 draft are built on wgll-2025, so 2024's content changed too.
    assert caught.value.edition_ids == ["wgll-2024", "wgll-2025"]
    assert "cannot be rewritten" in str(caught.value)
    assert dict(FrameworkEdition.objects.values_list("edition_id", "sha256")) == stored


def test_comment_only_change_to_published_edition_updates_the_digest_only(tmp_path, editions_dir):
    folder = _copy_shipped(editions_dir, tmp_path)
    sync_editions(editions_dir=folder)
    row = FrameworkEdition.objects.get(edition_id="dmi-2016-style")
    edition_file = folder / "dmi-2016-style" / "edition.yaml"
    edition_file.write_text(edition_file.read_text() + "\n# reviewed again, no change\n")
    rows = {r.edition_id: r for r in sync_editions(editions_dir=folder)}
    assert rows["dmi-2016-style"].sync_outcome == "unchanged"
    fresh = FrameworkEdition.objects.get(edition_id="dmi-2016-style")
    assert fresh.sha256 != row.sha256 and fresh.loaded_at == row.loaded_at


def test_invalid_edition_stops_the_whole_sync(tmp_path):
    write_valid(tmp_path, "test-2024", 2024)
    broken = write_valid(tmp_path, "test-2025", 2025)
    (broken / "domains" / "well_led.yaml").write_text("- id: wl.strategy\n")
    with pytest.raises(EditionError):
        sync_editions(editions_dir=tmp_path)
    assert FrameworkEdition.objects.count() == 0


def test_get_edition_is_parsed_once_per_digest(synced, django_assert_num_queries):
    first = selectors.get_edition("wgll-2025")
    with django_assert_num_queries(1):
        again = selectors.get_edition("wgll-2025")
    assert again is first
    assert first.domain("sf.epr").name == "Electronic patient record"
    with pytest.raises(selectors.EditionNotFound):
        selectors.get_edition("wgll-1999")


def test_list_editions(synced):
    rows = selectors.list_editions()
    wgll = [r.edition_id for r in rows if r.framework == "wgll"]
    assert wgll == ["wgll-2026-draft", "wgll-2025", "wgll-2024"]
    assert selectors.default_diff_pair() == ("wgll-2024", "wgll-2025")
