"""Every edition shipped in maturity/frameworks/editions loads and validates, and the 2025
edition's domains and applicability are exactly the binding table (so published pillar scores
can be reproduced)."""

from __future__ import annotations

from collections import Counter

import pytest

from maturity.core.framework import ScoringModel, diff_editions, load_edition, load_editions
from maturity.core.framework.loader import edition_folders
from maturity.core.vocab import CareSetting, Pillar

CODES = {
    "A": "acute",
    "C": "community",
    "M": "mental_health",
    "B": "ambulance",
    "I": "icb",
    "P": "primary_care",
    "S": "adult_social_care",
}

# The binding 2025 table: domain id → pillar and care settings (A C M B I P S).
WGLL_2025 = {
    "well_led": {
        "wl.strategy": "A C M B I P S",
        "wl.leadership": "A C M B I",
        "wl.governance": "A C M B I S",
        "wl.citizen_voice": "A C M B I",
    },
    "smart_foundations": {
        "sf.epr": "A C M B",
        "sf.infrastructure": "A C M B I P S",
        "sf.cyber": "A C M B I P S",
        "sf.resilience": "A C M B I",
        "sf.interoperability": "A C M B I",
        "sf.shared_care_record": "A C M B P",
        "sf.data_platform": "A C M B",
        "sf.digital_team": "A C M B",
        "sf.eprescribing": "A C M B",
        "sf.orders_results": "A C M B",
        "sf.social_care_record": "S",
    },
    "safe_practice": {
        "sp.clinical_safety": "A C M B I S",
        "sp.information_governance": "A C M B I S",
        "sp.safety_alerts": "A C M B",
        "sp.system_assurance": "A C M B I",
    },
    "support_people": {
        "sw.digital_skills": "A C M B I P S",
        "sw.digital_workforce": "A C M B I",
        "sw.staff_experience": "A C M B",
        "sw.mobile_working": "A C M B",
    },
    "empower_people": {
        "ep.digital_inclusion": "A C M B I P S",
        "ep.nhs_app": "A C M I P",
        "ep.record_access": "A C M I P",
        "ep.digital_communications": "A C M B I S",
        "ep.self_booking": "A C M I",
        "ep.patient_contribution": "A C M I",
        "ep.remote_consultation": "A C M I",
        "ep.system_digital_offer": "I",
        "ep.community_codesign": "I",
    },
    "improve_care": {
        "ic.pathway_redesign": "A C M B I",
        "ic.remote_monitoring": "A C M I P S",
        "ic.decision_support": "A C B I",
        "ic.care_coordination": "A C M B I S",
        "ic.outcomes_improvement": "A C M I",
        "ic.system_pathways": "I",
    },
    "healthy_populations": {
        "hp.population_health_data": "A C M B I",
        "hp.inequalities": "A C M B I S",
        "hp.prevention": "A C M I",
        "hp.risk_stratification": "A C M I",
        "hp.research": "A C M I",
        "hp.analytics_capability": "A C B",
        "hp.public_health_partnership": "A C B",
        "hp.screening_immunisation": "A C",
        "hp.secondary_use": "A C",
        "hp.sustainability": "A C",
    },
}
NOT_COMPARABLE_2025 = {
    "sf.interoperability",
    "ep.nhs_app",
    "sf.social_care_record",
    "ep.patient_contribution",
    "ic.system_pathways",
    "hp.sustainability",
}

# The same table as counts of domains per pillar (rows) and care setting (A C M B I P S).
COUNTS_2025 = {
    "well_led": (4, 4, 4, 4, 4, 1, 2),
    "smart_foundations": (10, 10, 10, 10, 4, 3, 3),
    "safe_practice": (4, 4, 4, 4, 3, 0, 2),
    "support_people": (4, 4, 4, 4, 2, 1, 1),
    "empower_people": (7, 7, 7, 2, 9, 3, 2),
    "improve_care": (5, 5, 4, 3, 6, 1, 2),
    "healthy_populations": (10, 10, 5, 4, 5, 0, 1),
}
COUNT_ORDER = ("A", "C", "M", "B", "I", "P", "S")


@pytest.fixture(scope="module")
def shipped():
    from maturity.frameworks.services import EDITIONS_DIR

    return load_editions(EDITIONS_DIR)


def test_every_shipped_edition_folder_loads_alone_and_together(editions_dir, shipped):
    folders = edition_folders(editions_dir)
    assert {f.name for f in folders} == set(shipped)
    for folder in folders:
        assert load_edition(folder).id == folder.name


def test_shipped_editions_cover_every_scoring_model(shipped):
    assert {e.scoring_model for e in shipped.values()} == set(ScoringModel)
    assert {"wgll-2024", "wgll-2025", "wgll-2026-draft"} <= set(shipped)
    for edition in shipped.values():
        if edition.scoring_model != ScoringModel.CUMULATIVE_LEVELS:
            assert edition.illustrative, edition.id


def test_wgll_2025_domains_and_care_settings_match_the_binding_table(shipped):
    edition = shipped["wgll-2025"]
    expected = {
        domain_id: (pillar, {CODES[c] for c in codes.split()})
        for pillar, domains in WGLL_2025.items()
        for domain_id, codes in domains.items()
    }
    actual = {d.id: (d.pillar.value, {s.value for s in d.care_settings}) for d in edition.domains}
    assert actual == expected
    assert [p.id for p in edition.pillars] == list(Pillar)


def test_wgll_2025_counts_per_pillar_and_care_setting(shipped):
    edition = shipped["wgll-2025"]
    for pillar, counts in COUNTS_2025.items():
        for code, expected in zip(COUNT_ORDER, counts, strict=True):
            found = len(edition.domains_in(pillar, CODES[code]))
            assert found == expected, (pillar, code)
    totals = {CODES[c]: len(edition.domains_for(CODES[c])) for c in COUNT_ORDER}
    assert totals == {
        "acute": 44,
        "community": 44,
        "mental_health": 38,
        "ambulance": 31,
        "icb": 33,
        "primary_care": 9,
        "adult_social_care": 13,
    }


def test_wgll_2025_comparability(shipped):
    edition = shipped["wgll-2025"]
    assert edition.previous_edition == "wgll-2024"
    assert edition.comparable_domain_ids() == {d.id for d in edition.domains} - NOT_COMPARABLE_2025
    for domain in edition.domains:
        if domain.comparable_with is not None:
            assert domain.comparable_with == domain.id
        else:
            assert domain.change_note


def test_wgll_2025_content_is_complete(shipped):
    edition = shipped["wgll-2025"]
    for domain in edition.domains:
        assert [level.level for level in domain.levels] == [1, 2, 3, 4, 5]
        for level in domain.levels:
            assert 1 <= len(level.criteria) <= 4
            for criterion in level.criteria:
                assert criterion.id.startswith(f"{domain.id}.l{level.level}.")
                if level.level >= 4:
                    assert criterion.evidence
    assert len(edition.criterion_ids()) == sum(len(d.criteria) for d in edition.domains)


def test_wgll_2025_contextual_questions(shipped):
    edition = shipped["wgll-2025"]
    supplier = edition.question("ctx.epr_supplier")
    assert [o.label for o in supplier.options] == [
        "Oracle Health (Cerner)",
        "Epic",
        "System C",
        "Dedalus",
        "Altera",
        "TPP",
        "EMIS",
        "Access",
        "MEDITECH",
        "In-house or generic platform",
        "Other",
        "None",
    ]
    assert [q.id for q in edition.questions_for("adult_social_care")] == [
        "ctx.remote_monitoring_in_use",
        "ctx.remote_monitoring_people",
        "ctx.social_care_record",
        "ctx.social_care_record_coverage",
        "ctx.staff_digital_training",
    ]
    assert "ctx.gp_clinical_system" in [q.id for q in edition.questions_for("primary_care")]
    assert "ctx.epr_in_place" not in [q.id for q in edition.questions_for(CareSetting.ICB)]
    assert edition.question("ctx.epr_go_live").enable_when.question == "ctx.epr_in_place"


def test_wgll_2024_is_2025_without_the_new_domains_plus_the_retired_ones(shipped):
    old, new = shipped["wgll-2024"], shipped["wgll-2025"]
    assert old.year == 2024 and old.status == "published" and old.base == "wgll-2025"
    ids_2024 = {d.id for d in old.domains}
    assert ids_2024 == ({d.id for d in new.domains} - NOT_COMPARABLE_2025) | {
        "sf.integration",
        "ep.patient_portal",
        "ic.paper_free",
    }
    assert old.domains_for("adult_social_care") == []
    assert Counter(d.pillar.value for d in old.domains)["smart_foundations"] == 10
    diff = diff_editions(old, new)
    assert {d.id for d in diff.added} == NOT_COMPARABLE_2025
    assert {d.id for d in diff.removed} == {"sf.integration", "ep.patient_portal", "ic.paper_free"}
    assert all(d.comparable for d in diff.changed + diff.unchanged)
    # The only changes to comparable domains are the care setting added in 2025.
    assert all(
        d.care_settings_added == ["adult_social_care"] and not d.levels and not d.changes
        for d in diff.changed
    )


def test_wgll_2026_draft_adds_ai_and_changes_cyber(shipped):
    draft = shipped["wgll-2026-draft"]
    assert draft.status == "draft" and draft.previous_edition == "wgll-2025"
    ai = draft.domain("sp.ai_assurance")
    assert {s.value for s in ai.care_settings} == {
        "acute",
        "community",
        "mental_health",
        "ambulance",
        "icb",
    }
    assert draft.domain("sf.cyber").comparable_with is None and draft.domain("sf.cyber").change_note
    diff = diff_editions(shipped["wgll-2025"], draft)
    assert [d.id for d in diff.added] == ["sp.ai_assurance"]
    assert diff.removed == []
    assert [(d.new_id, d.comparable, d.matched_by) for d in diff.changed] == [
        ("sf.cyber", False, "id")
    ]
    assert draft.comparable_domain_ids() == {d.id for d in draft.domains} - {
        "sp.ai_assurance",
        "sf.cyber",
    }
    assert draft.change_notes
