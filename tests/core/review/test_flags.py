"""Validation flags against hand-computed examples."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.core.review.flags import (
    EPR_CONTRADICTION,
    FUNDING_TIMING,
    GP_SYSTEM_CONTRADICTION,
    JUMP,
    OUTLIER,
    PEER_GAP,
    SIZE_NOT_KNOWN,
    STRAIGHT_LINING,
    EditionFacts,
    FundingRound,
    PreviousYear,
    ReferenceFacts,
    ReturnProfile,
    Thresholds,
    epr_contradiction_flag,
    funding_timing_flag,
    gp_system_flag,
    jump_flag,
    outlier_flags,
    peer_gap_flag,
    peer_groups,
    raise_flags,
    size_bands,
    straight_lining_flag,
)

EDITION = EditionFacts(
    domain_names={"sf.epr": "Electronic patient record", "sf.cyber": "Cyber security"},
    pillar_names={"smart_foundations": "Ensure smart foundations"},
    epr_criteria={"sf.epr.l2.a": ("sf.epr", 2), "sf.epr.l4.a": ("sf.epr", 4)},
    gp_system_labels={"emis_web": "EMIS Web", "systmone": "TPP SystmOne"},
    care_setting_labels={"acute": "Acute"},
)


def profile(key="r1", **kwargs):
    defaults = {
        "care_setting": "acute",
        "domain_levels": {"sf.epr": 3, "sf.cyber": 2},
        "pillar_scores": {"smart_foundations": 2.5},
        "overall": 2.5,
    }
    return ReturnProfile(key=key, **(defaults | kwargs))


# --- peer groups and outliers ------------------------------------------------------------------


def test_size_bands_are_thirds_by_rank_within_the_care_setting():
    cohort = [profile(f"r{i}", size=float(10 * (i + 1))) for i in range(9)]
    cohort.append(profile("unknown", size=None))
    cohort.append(profile("other", care_setting="community", size=5.0))
    bands = size_bands(cohort)
    assert [bands[f"r{i}"] for i in range(9)] == ["smaller third"] * 3 + ["middle third"] * 3 + [
        "larger third"
    ] * 3
    assert bands["unknown"] == SIZE_NOT_KNOWN
    assert bands["other"] == "smaller third"


def test_a_small_band_falls_back_to_the_whole_care_setting():
    cohort = [profile(f"r{i}", size=float(i + 1)) for i in range(9)]
    groups = peer_groups(cohort, Thresholds(min_group=8))
    assert groups["r0"].band is None and len(groups["r0"].members) == 9
    groups = peer_groups(cohort, Thresholds(min_group=3))
    assert groups["r0"].band == "smaller third" and groups["r0"].members == ("r0", "r1", "r2")


def test_outlier_by_robust_z_hand_computed():
    # Overall scores 2, 2, 2, 2, 2.5, 2.5, 3, 5: median 2.25, MAD 0.25, scale 1.4826 x 0.25.
    overall = [2, 2, 2, 2, 2.5, 2.5, 3, 5]
    cohort = [
        profile(f"r{i}", overall=v, pillar_scores={"smart_foundations": 2.0})
        for i, v in enumerate(overall)
    ]
    flags = outlier_flags(cohort, EDITION)
    assert [f.key for f in flags] == ["r7"]
    z = (5 - 2.25) / (1.4826 * 0.25)  # 7.42
    item = flags[0].details["measures"][0]
    assert item["measure"] == "overall"
    assert item["z"] == pytest.approx(z)
    assert item["median"] == 2.25
    assert flags[0].explanation == (
        "Compared with the 8 acute returns whose size is not known: The overall score, 5.0, is "
        "far above the median of 2.3 (robust z-score 7.4). Returns are flagged at a robust "
        "z-score of 3.5 or more either way."
    )
    # r6 at 3.0 has z = 0.75 / 0.37065 = 2.02: not far enough.
    assert (3 - 2.25) / (1.4826 * 0.25) < 3.5


def test_a_low_pillar_outlier_is_flagged_too():
    cohort = [
        profile(f"r{i}", overall=2.0, pillar_scores={"smart_foundations": v})
        for i, v in enumerate([3, 3, 3, 3.2, 2.8, 3, 3.1, 1])
    ]
    flags = outlier_flags(cohort, EDITION)
    assert [f.key for f in flags] == ["r7"]
    assert "The Ensure smart foundations score, 1.0, is far below" in flags[0].explanation


# --- jumps ---------------------------------------------------------------------------------------


def test_a_two_level_rise_on_a_comparable_domain_is_flagged():
    previous = PreviousYear(2024, {"sf.epr": 1, "sf.cyber": 2}, 2.0, "the 2024 return")
    flag = jump_flag(profile(previous=previous, overall_comparable=2.5), EDITION)
    assert flag is not None and flag.kind == JUMP
    assert flag.explanation == (
        "Since 2024 (the 2024 return), Electronic patient record from level 1 to level 3; a "
        "rise of 2 levels or more in one year is rare."
    )


def test_a_rise_of_the_comparable_overall_is_flagged_from_one_level():
    previous = PreviousYear(2024, {}, 2.0, "published results")
    assert jump_flag(profile(previous=previous, overall_comparable=2.9)) is None
    flag = jump_flag(profile(previous=previous, overall_comparable=3.0))
    assert flag is not None and flag.details["overall_rise"] == pytest.approx(1.0)
    assert "rose from 2.0 in 2024 (published results) to 3.0 (up 1.00" in flag.explanation
    assert jump_flag(profile()) is None


# --- straight-lining -----------------------------------------------------------------------------


def test_straight_lining_by_answers_and_by_levels():
    answers = {f"c{i}": "met" for i in range(29)} | {"c29": "not_met"}  # 96.7%
    assert straight_lining_flag(profile(criterion_answers=answers)) is None
    answers["c29"] = "met"
    flag = straight_lining_flag(profile(criterion_answers=answers))
    assert flag is not None and flag.kind == STRAIGHT_LINING
    assert flag.explanation.startswith("30 of 30 criteria (100%) are answered \u201cmet\u201d.")
    levels = {f"d{i}": 3 for i in range(6)}
    flag = straight_lining_flag(profile(domain_levels=levels))
    assert flag is not None and "All 6 domains are at level 3." in flag.explanation
    assert straight_lining_flag(profile(domain_levels=levels | {"d5": 2})) is None
    assert straight_lining_flag(profile(domain_levels={f"d{i}": 3 for i in range(5)})) is None


# --- contradictions ------------------------------------------------------------------------------


def test_an_epr_level_with_no_epr_in_the_contextual_answers():
    flag = epr_contradiction_flag(
        profile(criterion_answers={"sf.epr.l2.a": "met"}, contextual={"ctx.epr_in_place": False}),
        EDITION,
    )
    assert flag is not None and flag.kind == EPR_CONTRADICTION
    assert flag.explanation == (
        "Electronic patient record is at level 3, counting 1 criterion that need an electronic "
        "patient record (sf.epr.l2.a), but the return's own contextual answers say no EPR is in "
        "use."
    )


def test_an_epr_criterion_that_does_not_count_is_no_contradiction():
    # Met at level 4, but the domain is at level 3: the criterion does not lift the level.
    assert (
        epr_contradiction_flag(
            profile(
                criterion_answers={"sf.epr.l4.a": "met"}, contextual={"ctx.epr_in_place": False}
            ),
            EDITION,
        )
        is None
    )
    assert (
        epr_contradiction_flag(
            profile(
                criterion_answers={"sf.epr.l2.a": "met"}, contextual={"ctx.epr_in_place": True}
            ),
            EDITION,
        )
        is None
    )


def test_an_epr_level_contradicted_by_the_reference_data():
    reference = ReferenceFacts(epr_in_place=False, epr_source="NHS England's EPR extract")
    flag = epr_contradiction_flag(
        profile(
            criterion_answers={"sf.epr.l2.a": "met"},
            contextual={"ctx.epr_in_place": True},
            reference=reference,
        ),
        EDITION,
    )
    assert flag is not None
    assert flag.explanation.endswith(
        "but NHS England's EPR extract records no EPR for the organisation."
    )
    assert flag.details["reference_says_no"] and not flag.details["contextual_says_no"]


def test_a_gp_system_claim_the_registry_contradicts():
    reference = ReferenceFacts(
        gp_system_shares={"emis_web": 0.8, "systmone": 0.2},
        gp_practices=150,
        gp_source="the GP registry (October 2025)",
    )
    flag = gp_system_flag(
        profile(contextual={"ctx.gp_clinical_system": "systmone"}, reference=reference), EDITION
    )
    assert flag is not None and flag.kind == GP_SYSTEM_CONTRADICTION
    assert flag.explanation == (
        "The return says most practices use TPP SystmOne, but the GP registry (October 2025) "
        "shows 20% of the 150 practices using it and 80% using EMIS Web."
    )
    reference = ReferenceFacts(gp_system_shares={"emis_web": 0.7, "systmone": 0.3})
    assert (
        gp_system_flag(
            profile(contextual={"ctx.gp_clinical_system": "systmone"}, reference=reference)
        )
        is None
    )


# --- self versus peer ----------------------------------------------------------------------------


def test_self_versus_peer_gaps():
    flag = peer_gap_flag(
        profile(domain_levels={"a": 4, "b": 3, "c": 3}, peer_levels={"a": 2, "b": 3, "c": 3})
    )
    assert flag is not None and flag.kind == PEER_GAP
    assert flag.explanation == (
        "The self-assessed levels are higher than the peer reviewer's on 1 domain, by 2 levels "
        "in total. The widest gap is on a: self-assessed level 4, peer reviewer level 2."
    )
    flag = peer_gap_flag(
        profile(
            domain_levels={"a": 3, "b": 3, "c": 3, "d": 3},
            peer_levels={"a": 2, "b": 2, "c": 2, "d": 3},
        )
    )
    assert flag is not None and flag.details["total_higher"] == 3
    assert (
        peer_gap_flag(
            profile(domain_levels={"a": 3, "b": 3, "c": 3}, peer_levels={"a": 2, "b": 2, "c": 3})
        )
        is None
    )
    # A reviewer two levels higher is a gap too.
    assert peer_gap_flag(profile(domain_levels={"a": 1}, peer_levels={"a": 3})) is not None


# --- funding timing ------------------------------------------------------------------------------


def test_a_rise_committed_just_before_a_funding_round():
    previous = PreviousYear(2024, {}, 2.0, "published results")
    rounds = [FundingRound("Frontline digitisation round 2", dt.date(2025, 6, 30))]
    flag = funding_timing_flag(
        profile(previous=previous, overall_comparable=2.6, committed_on=dt.date(2025, 6, 1)),
        rounds,
    )
    assert flag is not None and flag.kind == FUNDING_TIMING
    assert flag.explanation == (
        "Committed on 1 June 2025, 29 days before Frontline digitisation round 2 closed on "
        "30 June 2025, with the comparable overall score up 0.60 since 2024."
    )
    early = profile(previous=previous, overall_comparable=2.6, committed_on=dt.date(2025, 3, 1))
    assert funding_timing_flag(early, rounds) is None
    small = profile(previous=previous, overall_comparable=2.4, committed_on=dt.date(2025, 6, 1))
    assert funding_timing_flag(small, rounds) is None
    after = profile(previous=previous, overall_comparable=2.6, committed_on=dt.date(2025, 7, 1))
    assert funding_timing_flag(after, rounds) is None


def test_raise_flags_collects_every_kind_in_order():
    cohort = [profile(f"r{i}", overall=2.0) for i in range(7)]
    cohort.append(
        profile(
            "r7",
            overall=5.0,
            domain_levels={f"d{i}": 5 for i in range(6)},
            peer_levels={"d0": 3},
        )
    )
    flags = raise_flags(cohort, edition=EDITION)
    assert [(f.key, f.kind) for f in flags] == [
        ("r7", OUTLIER),
        ("r7", STRAIGHT_LINING),
        ("r7", PEER_GAP),
    ]
    assert flags[0].label == "Far from the peer group"
