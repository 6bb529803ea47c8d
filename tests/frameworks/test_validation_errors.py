"""A broken edition fails with EditionError naming the file and the path inside it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from maturity.core.framework import EditionError, load_edition, load_editions

from .builders import base_domains, domain, edition_meta, write_edition, write_valid


def issues_of(folder: Path) -> list[str]:
    with pytest.raises(EditionError) as caught:
        load_edition(folder)
    return [str(issue) for issue in caught.value.issues]


def test_valid_edition_loads(tmp_path):
    edition = load_edition(write_valid(tmp_path))
    assert [d.id for d in edition.domains] == ["wl.strategy", "sf.epr", "sf.cyber", "sp.safety"]
    assert edition.domain("sf.epr").level(4).criteria[0].evidence


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    folder = write_valid(tmp_path)
    (folder / "domains" / "safe_practice.yaml").write_text("- id: sp.safety\n  name: [unclosed\n")
    issues = issues_of(folder)
    assert len(issues) == 1
    assert issues[0].startswith(
        "test-2025/domains/safe_practice.yaml: line 3, column 1: invalid YAML"
    )


def test_yaml_duplicate_key_is_refused(tmp_path):
    folder = write_valid(tmp_path)
    (folder / "edition.yaml").write_text((folder / "edition.yaml").read_text() + "year: 2026\n")
    issues = issues_of(folder)
    assert any(
        i.startswith("test-2025/edition.yaml: line") and "'year' is given twice" in i
        for i in issues
    )


def test_missing_criterion_text_names_file_and_path(tmp_path):
    domains = base_domains()
    domains["safe_practice"].append(domain("sp.alerts", "safe_practice", ["acute"]))
    del domains["safe_practice"][1]["levels"][3]["criteria"][0]["text"]
    folder = write_edition(tmp_path, edition_meta("test-2025", 2025), domains)
    assert issues_of(folder) == [
        "test-2025/domains/safe_practice.yaml: [1].levels[3].criteria[0].text: field required"
    ]


def test_schema_errors_in_edition_yaml_and_every_domain_file_are_all_reported(tmp_path):
    domains = base_domains()
    domains["well_led"][0]["care_settings"] = ["acute", "hospital"]
    domains["smart_foundations"][1]["pillar"] = "smart_stuff"
    domains["smart_foundations"][0]["levels"][0]["criteria"].extend(
        [{"id": f"sf.epr.l1.{x}", "text": "More."} for x in "cde"]
    )
    meta = edition_meta("test-2025", 2025, scoring_model="points", stauts="draft")
    folder = write_edition(tmp_path, meta, domains)
    issues = issues_of(folder)
    assert (
        "test-2025/edition.yaml: stauts: unknown field (check its spelling and indentation)"
        in issues
    )
    assert any(
        i.startswith("test-2025/edition.yaml: scoring_model: input should be") for i in issues
    )
    assert any(
        i.startswith("test-2025/domains/well_led.yaml: [0].care_settings[1]: input should be")
        for i in issues
    )
    assert any(
        i.startswith("test-2025/domains/smart_foundations.yaml: [1].pillar:") for i in issues
    )
    assert any(
        i.startswith("test-2025/domains/smart_foundations.yaml: [0].levels[0].criteria:")
        and "at most 4" in i
        for i in issues
    )


def test_file_that_is_not_a_list(tmp_path):
    folder = write_valid(tmp_path)
    (folder / "domains" / "well_led.yaml").write_text(
        yaml.safe_dump(domain("wl.x", "well_led", ["acute"]))
    )
    assert (
        "test-2025/domains/well_led.yaml: expected a list of domains (each starting '- id:')"
        in issues_of(folder)
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["smart_foundations"][0]["levels"][2]["criteria"][1].update(
                id="sf.epx.l3.b"
            ),
            "test-2025/domains/smart_foundations.yaml: [0].levels[2].criteria[1].id: "
            "sf.epx.l3.b must start with sf.epr.l3. (then a letter)",
        ),
        (
            lambda d: d["smart_foundations"][0]["levels"][2]["criteria"][1].update(
                id="sf.epr.l2.b"
            ),
            "test-2025/domains/smart_foundations.yaml: [0].levels[2].criteria[1].id: "
            "sf.epr.l2.b must start with sf.epr.l3. (then a letter)",
        ),
        (
            lambda d: d["safe_practice"][0]["levels"][4]["criteria"][1].pop("evidence"),
            "test-2025/domains/safe_practice.yaml: [0].levels[4].criteria[1].evidence: "
            "required at level 5: what a peer reviewer would expect to see",
        ),
        (
            lambda d: d["well_led"][0]["levels"].pop(2),
            "test-2025/domains/well_led.yaml: [0].levels: "
            "must be levels 1, 2, 3, 4 and 5 in order (found 1, 2, 4, 5)",
        ),
        (
            lambda d: (
                d["well_led"][0].update(id="sp.strategy")
                or [
                    c.update(id=c["id"].replace("wl.strategy", "sp.strategy"))
                    for lv in d["well_led"][0]["levels"]
                    for c in lv["criteria"]
                ]
            ),
            "test-2025/domains/well_led.yaml: [0].id: a well_led domain id must start with 'wl.'",
        ),
        (
            lambda d: d["well_led"].append(domain("sf.other", "smart_foundations", ["acute"])),
            "test-2025/domains/well_led.yaml: [1].pillar: "
            "a smart_foundations domain must be in domains/smart_foundations.yaml",
        ),
        (
            lambda d: d["safe_practice"].append(domain("sf.cyber", "smart_foundations", ["acute"])),
            "test-2025/domains/smart_foundations.yaml: [1].id: sf.cyber is declared twice "
            "(also test-2025/domains/safe_practice.yaml [1])",
        ),
        (
            lambda d: d["safe_practice"][0]["levels"][1]["criteria"][0].update(
                context_question="ctx.no_such_question"
            ),
            "test-2025/domains/safe_practice.yaml: [0].levels[1].criteria[0].context_question: "
            "test-2025 has no contextual question ctx.no_such_question",
        ),
        (
            lambda d: (
                d["safe_practice"][0]["levels"][1]["criteria"][0].update(
                    context_question="ctx.epr_in_place"
                )
                or d["safe_practice"][0].update(care_settings=["icb"])
            ),
            "test-2025/domains/safe_practice.yaml: [0].levels[1].criteria[0].context_question: "
            "ctx.epr_in_place is not asked in any of this domain's care settings",
        ),
    ],
    ids=[
        "criterion-prefix",
        "criterion-level",
        "evidence-at-level-5",
        "levels-1-to-5",
        "domain-prefix",
        "wrong-pillar-file",
        "duplicate-domain",
        "unknown-context-question",
        "context-question-settings",
    ],
)
def test_cross_reference_errors_name_file_and_path(tmp_path, change, expected):
    domains = base_domains()
    change(domains)
    folder = write_edition(tmp_path, edition_meta("test-2025", 2025), domains)
    assert expected in issues_of(folder)


def _question(meta, index):
    return meta["contextual_questions"][index]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda m: m["contextual_questions"].reverse(),
            "test-2025/edition.yaml: contextual_questions[0].enable_when.question: "
            "must name an earlier question; ctx.epr_in_place is not asked before this one",
        ),
        (
            lambda m: _question(m, 1)["enable_when"].update(answer="yes please"),
            "test-2025/edition.yaml: contextual_questions[1].enable_when.answer: "
            "ctx.epr_in_place is answered true or false",
        ),
        (
            lambda m: _question(m, 1)["enable_when"].update(operator="in", answer=True),
            "test-2025/edition.yaml: contextual_questions[1].enable_when.answer: "
            "the 'in' operator needs a list of answers",
        ),
        (
            lambda m: _question(m, 1).update(care_settings=["acute", "icb"]),
            "test-2025/edition.yaml: contextual_questions[1].care_settings: "
            "ctx.epr_in_place is not asked in icb, so this question never would be",
        ),
        (
            lambda m: _question(m, 0).update(evidences=["sf.nothing"]),
            "test-2025/edition.yaml: contextual_questions[0].evidences[0]: "
            "test-2025 has no domain sf.nothing",
        ),
        (
            lambda m: _question(m, 1).update(options=[{"value": "epic", "label": "Epic"}]),
            "test-2025/edition.yaml: contextual_questions[1].options: "
            "a single_choice question needs at least two options",
        ),
        (
            lambda m: _question(m, 0).update(options=[{"value": "x", "label": "X"}]),
            "test-2025/edition.yaml: contextual_questions[0].options: "
            "only choice questions have options, not yes_no",
        ),
        (
            lambda m: m["contextual_questions"].append(dict(_question(m, 0))),
            "test-2025/edition.yaml: contextual_questions[2].id: ctx.epr_in_place is declared twice",
        ),
        (
            lambda m: m.update(next_review="2024-12-31"),
            "test-2025/edition.yaml: next_review: must be after date_reviewed",
        ),
        (
            lambda m: m.update(stages=[{"stage": 1, "title": "One", "capabilities": []}]),
            "test-2025/edition.yaml: stages: belongs to the stage scoring model, not cumulative_levels",
        ),
        (
            lambda m: m["pillars"].append(
                {"id": "healthy_populations", "name": "HP", "description": "x"}
            ),
            "test-2025/edition.yaml: pillars[3]: no domains for healthy_populations",
        ),
    ],
    ids=[
        "enable-when-forward",
        "enable-when-answer-type",
        "enable-when-in-needs-list",
        "enable-when-settings",
        "evidences-unknown-domain",
        "choice-needs-options",
        "options-on-yes-no",
        "duplicate-question",
        "review-dates",
        "section-of-other-model",
        "pillar-without-domains",
    ],
)
def test_edition_file_errors_name_path(tmp_path, change, expected):
    meta = edition_meta("test-2025", 2025)
    change(meta)
    folder = write_edition(tmp_path, meta, base_domains())
    assert expected in issues_of(folder)


def test_edition_id_must_match_its_folder(tmp_path):
    folder = write_valid(tmp_path, "test-2026", 2026)
    folder = folder.rename(tmp_path / "test-2025")
    assert issues_of(folder) == [
        "test-2025/edition.yaml: id: must be the folder's name, 'test-2025'"
    ]


def test_reserved_edition_id(tmp_path):
    folder = write_valid(tmp_path, "diff", 2025)
    assert "diff/edition.yaml: id: 'diff' is reserved; choose another id" in issues_of(folder)


def test_pillar_must_be_a_vocabulary_pillar(tmp_path):
    meta = edition_meta("test-2025", 2025)
    meta["pillars"][0]["id"] = "leadership"
    issues = issues_of(write_edition(tmp_path, meta, base_domains()))
    assert any(
        i.startswith("test-2025/edition.yaml: pillars[0].id: input should be 'well_led'")
        for i in issues
    )


def test_new_domain_needs_a_change_note_when_there_is_a_previous_edition(tmp_path):
    write_valid(tmp_path, "test-2024", 2024)
    domains = base_domains()
    for items in domains.values():
        for item in items:
            item["comparable_with"] = item["id"]
    domains["smart_foundations"][1].update(comparable_with=None)
    folder = write_edition(
        tmp_path, edition_meta("test-2025", 2025, previous_edition="test-2024"), domains
    )
    assert issues_of(folder) == [
        "test-2025/domains/smart_foundations.yaml: [1].change_note: required for a new or changed "
        "domain (comparable_with is null): say what changed and why"
    ]


def test_comparable_with_needs_a_previous_edition(tmp_path):
    domains = base_domains()
    domains["well_led"][0]["comparable_with"] = "wl.strategy"
    folder = write_edition(tmp_path, edition_meta("test-2025", 2025), domains)
    assert issues_of(folder) == [
        "test-2025/domains/well_led.yaml: [0].comparable_with: "
        "test-2025 has no previous edition to compare with"
    ]


def test_load_editions_reports_every_broken_edition(tmp_path):
    write_valid(tmp_path, "test-2024", 2024)
    broken = write_valid(tmp_path, "test-2025", 2025)
    (broken / "domains" / "well_led.yaml").write_text("- id: [\n")
    other = write_valid(tmp_path, "other-2025", 2025)
    (other / "edition.yaml").write_text("id: other-2025\n")
    with pytest.raises(EditionError) as caught:
        load_editions(tmp_path)
    assert caught.value.files == {"test-2025/domains/well_led.yaml", "other-2025/edition.yaml"}
