from __future__ import annotations

from maturity.core.framework import diff_editions, load_edition

from .builders import base_domains, domain, edition_meta, write_edition, write_valid


def _pair(tmp_path, change):
    write_valid(tmp_path, "test-2024", 2024)
    domains = base_domains()
    for items in domains.values():
        for item in items:
            item["comparable_with"] = item["id"]
    meta = edition_meta("test-2025", 2025, previous_edition="test-2024")
    change(domains, meta)
    write_edition(tmp_path, meta, domains)
    return load_edition(tmp_path / "test-2024"), load_edition(tmp_path / "test-2025")


def test_identical_editions_have_no_changes(tmp_path):
    old, new = _pair(tmp_path, lambda d, m: None)
    diff = diff_editions(old, new)
    assert not diff.has_changes
    assert [d.new_id for d in diff.unchanged] == ["wl.strategy", "sf.epr", "sf.cyber", "sp.safety"]
    assert all(d.comparable and d.matched_by == "comparable_with" for d in diff.unchanged)


def test_added_removed_renamed_and_changed_domains(tmp_path):
    def change(domains, meta):
        # sp.safety becomes sp.clinical_safety, still comparable (matched through comparable_with).
        renamed = domains["safe_practice"][0]
        renamed.update(id="sp.clinical_safety", comparable_with="sp.safety")
        for level in renamed["levels"]:
            for criterion in level["criteria"]:
                criterion["id"] = criterion["id"].replace("sp.safety", "sp.clinical_safety")
        # sf.cyber changes: a criterion reworded, one added at level 2, level 3 retitled,
        # evidence changed at level 5, a care setting dropped; no longer comparable.
        cyber = domains["smart_foundations"][1]
        cyber.update(
            comparable_with=None, change_note="Rewritten.", care_settings=["acute", "community"]
        )
        cyber["levels"][0]["criteria"][1]["text"] = "A new wording."
        cyber["levels"][1]["criteria"].append({"id": "sf.cyber.l2.c", "text": "Added."})
        cyber["levels"][2]["title"] = "Renamed level"
        cyber["levels"][4]["criteria"][0]["evidence"] = "Different evidence."
        cyber["guidance"]["do_better"] = "Do more."
        # wl.strategy removed; wl.new added.
        domains["well_led"] = [domain("wl.new", "well_led", ["acute"], change_note="New.")]

    old, new = _pair(tmp_path, change)
    diff = diff_editions(old, new)
    assert [d.id for d in diff.added] == ["wl.new"]
    assert diff.added[0].change_note == "New."
    assert [d.id for d in diff.removed] == ["wl.strategy"]
    assert [(d.old_id, d.new_id, d.matched_by) for d in diff.unchanged] == [
        ("sf.epr", "sf.epr", "comparable_with"),
        ("sp.safety", "sp.clinical_safety", "comparable_with"),
    ]
    [cyber] = diff.changed
    assert (cyber.matched_by, cyber.comparable, cyber.change_note) == ("id", False, "Rewritten.")
    assert cyber.care_settings_removed == ["icb"] and cyber.care_settings_added == []
    assert [(c.field, c.new) for c in cyber.changes] == [("guidance.do_better", "Do more.")]
    by_level = {level.level: level for level in cyber.levels}
    assert sorted(by_level) == [1, 2, 3, 5]
    [reworded] = by_level[1].criteria
    assert (reworded.key, reworded.change, reworded.new_text) == (
        "l1.b",
        "changed",
        "A new wording.",
    )
    assert reworded.old_text.startswith("Criterion b of level 1")
    assert [(c.key, c.change) for c in by_level[2].criteria] == [("l2.c", "added")]
    assert by_level[3].title_changed and by_level[3].criteria == []
    [evidence] = by_level[5].criteria
    assert evidence.change == "changed" and not evidence.text_changed
    assert evidence.new_evidence == "Different evidence."


def test_questions_added_removed_and_changed(tmp_path):
    def change(domains, meta):
        questions = meta["contextual_questions"]
        questions[0]["text"] = "Reworded?"
        questions.pop(1)
        questions.append(
            {"id": "ctx.staff", "text": "Staff?", "type": "integer", "care_settings": ["icb"]}
        )

    old, new = _pair(tmp_path, change)
    diff = diff_editions(old, new)
    assert [q.id for q in diff.questions_added] == ["ctx.staff"]
    assert [q.id for q in diff.questions_removed] == ["ctx.epr_supplier"]
    [changed] = diff.questions_changed
    assert changed.id == "ctx.epr_in_place"
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("text", "Is an EPR in use?", "Reworded?")
    ]


def test_editions_that_are_not_consecutive_match_by_id_only(tmp_path):
    old, new = _pair(tmp_path, lambda d, m: None)
    diff = diff_editions(new, old)  # backwards: test-2024 does not follow test-2025
    assert not diff.consecutive
    assert all(d.comparable is None and d.matched_by == "id" for d in diff.unchanged)
    assert len(diff.unchanged) == 4


def test_diff_serialises_to_json(tmp_path):
    old, new = _pair(tmp_path, lambda d, m: None)
    data = diff_editions(old, new).model_dump(mode="json")
    assert data["old_edition"] == "test-2024" and data["new_edition"] == "test-2025"
    assert len(data["unchanged"]) == 4
