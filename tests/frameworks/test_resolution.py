"""Editions declared as changes to another: base, exclude_domains, own domains and questions."""

from __future__ import annotations

import pytest

from maturity.core.framework import EditionError, load_edition, load_editions
from maturity.core.framework.loader import source_files, source_sha256

from .builders import domain, edition_meta, write_edition, write_valid


def derived_meta(edition_id: str, year: int, **extra):
    meta = {
        "id": edition_id,
        "base": "test-2025",
        "title": f"Derived {edition_id}",
        "year": year,
        "status": "draft",
        "previous_edition": "test-2025",
        "authored_by": "Tests",
        "checked_by": "Tests",
        "date_reviewed": f"{year}-01-01",
        "next_review": f"{year + 1}-01-01",
    }
    meta.update(extra)
    return meta


def test_derived_edition_inherits_excludes_adds_and_replaces(tmp_path):
    write_valid(tmp_path)
    changed = domain(
        "sf.cyber", "smart_foundations", ["acute"], change_note="Rewritten.", text_prefix="New: "
    )
    added = domain("sp.ai", "safe_practice", ["acute", "icb"], change_note="New domain.")
    folder = write_edition(
        tmp_path,
        derived_meta("test-2026", 2026, exclude_domains=["sp.safety"]),
        {"smart_foundations": [changed], "safe_practice": [added]},
    )
    edition = load_edition(folder)
    assert [d.id for d in edition.domains] == ["wl.strategy", "sf.epr", "sf.cyber", "sp.ai"]
    assert edition.framework == "test" and edition.scoring_model == "cumulative_levels"
    assert edition.status == "draft" and edition.year == 2026 and edition.base == "test-2025"
    assert edition.domain("sf.cyber").levels[0].criteria[0].text.startswith("New: ")
    # Inherited domains are the base's, unchanged, so comparable with themselves.
    assert edition.domain("sf.epr").comparable_with == "sf.epr"
    assert edition.domain("sf.cyber").comparable_with is None
    assert edition.comparable_domain_ids() == {"wl.strategy", "sf.epr"}
    assert [p.id for p in edition.pillars] == ["well_led", "smart_foundations", "safe_practice"]
    assert [q.id for q in edition.contextual_questions] == ["ctx.epr_in_place", "ctx.epr_supplier"]


def test_derived_edition_questions_add_replace_and_exclude(tmp_path):
    write_valid(tmp_path)
    meta = derived_meta(
        "test-2026",
        2026,
        exclude_questions=["ctx.epr_supplier"],
        contextual_questions=[
            {
                "id": "ctx.epr_in_place",
                "text": "Reworded: is an EPR live?",
                "type": "yes_no",
                "care_settings": ["acute"],
            },
            {
                "id": "ctx.staff",
                "text": "How many staff?",
                "type": "integer",
                "care_settings": ["icb"],
            },
        ],
    )
    edition = load_edition(write_edition(tmp_path, meta))
    assert [q.id for q in edition.contextual_questions] == ["ctx.epr_in_place", "ctx.staff"]
    assert edition.question("ctx.epr_in_place").text == "Reworded: is an EPR live?"


def test_edition_care_settings_narrow_inherited_domains(tmp_path):
    write_valid(tmp_path)
    meta = derived_meta(
        "test-2024", 2024, previous_edition=None, care_settings=["acute", "community"]
    )
    edition = load_edition(write_edition(tmp_path, meta))
    assert [s.value for s in edition.domain("wl.strategy").care_settings] == ["acute", "community"]
    assert edition.domains_for("icb") == []
    assert [s.value for s in edition.domain("sp.safety").care_settings] == ["acute"]
    # With no previous edition nothing is comparable.
    assert edition.comparable_domain_ids() == set()


def test_inherited_domain_left_with_no_care_setting_must_be_excluded(tmp_path):
    write_valid(tmp_path)
    meta = derived_meta("test-2024", 2024, previous_edition=None, care_settings=["community"])
    with pytest.raises(EditionError) as caught:
        load_edition(write_edition(tmp_path, meta))
    assert [str(i) for i in caught.value.issues] == [
        "test-2024/edition.yaml: care_settings: the inherited domain sp.safety applies to none "
        "of these care settings; add it to exclude_domains"
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"exclude_domains": ["sf.nothing"]},
            "test-2026/edition.yaml: exclude_domains[0]: test-2025 has no domain sf.nothing",
        ),
        (
            {"exclude_questions": ["ctx.nothing"]},
            "test-2026/edition.yaml: exclude_questions[0]: test-2025 has no contextual question ctx.nothing",
        ),
        (
            {"base": "test-1999"},
            "test-2026/edition.yaml: base: no edition 'test-1999' next to this one to build on",
        ),
        (
            {"title": None},
            "test-2026/edition.yaml: title: field required",
        ),
        (
            {"exclude_domains": ["sf.epr"]},
            "test-2025/edition.yaml: contextual_questions[0].evidences[0]: test-2026 has no domain sf.epr",
        ),
    ],
    ids=[
        "unknown-domain",
        "unknown-question",
        "missing-base",
        "own-metadata-required",
        "excluded-reference",
    ],
)
def test_derived_edition_errors(tmp_path, extra, expected):
    write_valid(tmp_path)
    meta = derived_meta("test-2026", 2026, **extra)
    if meta.get("title") is None:
        del meta["title"]
    with pytest.raises(EditionError) as caught:
        load_edition(write_edition(tmp_path, meta))
    assert expected in [str(i) for i in caught.value.issues]


def test_base_loop_is_reported(tmp_path):
    write_edition(tmp_path, derived_meta("test-a", 2025, base="test-b", previous_edition=None))
    write_edition(tmp_path, derived_meta("test-b", 2026, base="test-a", previous_edition=None))
    with pytest.raises(EditionError) as caught:
        load_edition(tmp_path / "test-a")
    assert (
        "test-b/edition.yaml: base: editions are based on each other in a loop: test-a → test-b → test-a"
        in [str(i) for i in caught.value.issues]
    )


def test_broken_base_fails_the_derived_edition_with_the_base_problem(tmp_path):
    base = write_valid(tmp_path)
    (base / "domains" / "well_led.yaml").write_text("- id: [\n")
    with pytest.raises(EditionError) as caught:
        load_edition(write_edition(tmp_path, derived_meta("test-2026", 2026)))
    files = caught.value.files
    assert files == {"test-2025/domains/well_led.yaml", "test-2026/edition.yaml"}


def test_source_digest_covers_the_base_edition(tmp_path):
    base = write_valid(tmp_path)
    derived = write_edition(tmp_path, derived_meta("test-2026", 2026))
    names = [p.relative_to(tmp_path).as_posix() for p in source_files(derived)]
    assert names[0] == "test-2026/edition.yaml" and "test-2025/domains/well_led.yaml" in names
    before = source_sha256(derived)
    (base / "domains" / "well_led.yaml").write_text(
        (base / "domains" / "well_led.yaml").read_text() + "\n# a comment\n"
    )
    assert source_sha256(derived) != before


def test_comparable_with_must_exist_in_the_previous_edition(tmp_path):
    write_valid(tmp_path, "test-2024", 2024)
    domains = {
        "well_led": [domain("wl.strategy", "well_led", ["acute"], comparable_with="wl.strategy")],
        "smart_foundations": [
            domain(
                "sf.epr", "smart_foundations", ["acute", "community"], comparable_with="sf.record"
            ),
            domain("sf.cyber", "smart_foundations", ["acute"], comparable_with="sp.safety"),
            domain("sf.copy", "smart_foundations", ["acute"], comparable_with="wl.strategy"),
        ],
        "safe_practice": [domain("sp.safety", "safe_practice", ["acute"], change_note="New.")],
    }
    write_edition(tmp_path, edition_meta("test-2025", 2025, previous_edition="test-2024"), domains)
    # Each edition is valid on its own; the references are checked when both are loaded.
    load_edition(tmp_path / "test-2025")
    with pytest.raises(EditionError) as caught:
        load_editions(tmp_path)
    assert [str(i) for i in caught.value.issues] == [
        "test-2025/domains/smart_foundations.yaml: [0].comparable_with: test-2024 has no domain sf.record",
        "test-2025/domains/smart_foundations.yaml: [1].comparable_with: test-2024's sp.safety is in "
        "the safe_practice pillar, not smart_foundations",
        "test-2025/domains/smart_foundations.yaml: [2].comparable_with: test-2024's wl.strategy is "
        "in the well_led pillar, not smart_foundations",
        "test-2025/domains/smart_foundations.yaml: [2].comparable_with: wl.strategy is already "
        "comparable with test-2024's wl.strategy",
    ]


def test_previous_edition_must_be_older(tmp_path):
    write_valid(tmp_path, "test-2024", 2025)
    domains = {
        "well_led": [domain("wl.strategy", "well_led", ["acute"], comparable_with="wl.strategy")],
        "smart_foundations": [
            domain("sf.epr", "smart_foundations", ["acute"], comparable_with="sf.epr")
        ],
        "safe_practice": [
            domain("sp.safety", "safe_practice", ["acute"], comparable_with="sp.safety")
        ],
    }
    write_edition(tmp_path, edition_meta("test-2025", 2025, previous_edition="test-2024"), domains)
    with pytest.raises(EditionError) as caught:
        load_editions(tmp_path)
    assert [str(i) for i in caught.value.issues] == [
        "test-2025/edition.yaml: previous_edition: test-2024 is not older than this edition"
    ]
