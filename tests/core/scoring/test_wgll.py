import dataclasses

import pytest

from maturity.core.scoring import (
    SCORING_VERSION,
    Answer,
    DomainSpec,
    ReturnScore,
    domain_level,
    domain_result,
    score_return,
)

MET, NOT_MET, NA = Answer.MET, Answer.NOT_MET, Answer.NOT_APPLICABLE

SPEC = DomainSpec(
    id="records",
    pillar="smart_foundations",
    criteria_by_level={
        1: ("l1a",),
        2: ("l2a", "l2b"),
        3: ("l3a",),
        4: ("l4a", "l4b"),
        5: ("l5a",),
    },
)
ALL = ("l1a", "l2a", "l2b", "l3a", "l4a", "l4b", "l5a")


def _all(answer, **overrides):
    answers = dict.fromkeys(ALL, answer)
    answers.update(overrides)
    return answers


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, 1, id="no-answers-is-the-floor"),
        pytest.param(_all(NOT_MET), 1, id="nothing-met"),
        pytest.param(_all(MET), 5, id="everything-met"),
        pytest.param({"l1a": MET}, 1, id="level-1-only"),
        pytest.param({"l1a": MET, "l2a": MET, "l2b": MET}, 2, id="levels-1-2"),
        pytest.param({"l1a": MET, "l2a": MET}, 1, id="one-missing-at-level-2"),
        pytest.param(_all(MET, l4b=NOT_MET), 3, id="gap-at-4-caps-at-3"),
        pytest.param(_all(MET, l3a=NOT_MET), 2, id="gap-at-3-ignores-4-and-5"),
        pytest.param(_all(MET, l1a=NOT_MET), 1, id="gap-at-1-floor"),
        pytest.param(_all(MET, l5a=NOT_MET), 4, id="gap-at-5"),
        pytest.param(_all(MET, l2b=NA), 5, id="na-left-out"),
        pytest.param(_all(MET, l4a=NA, l4b=NA), 5, id="level-all-na-passes"),
        pytest.param(_all(MET, l4a=NA, l4b=NA, l5a=NOT_MET), 4, id="all-na-level-then-gap"),
        pytest.param(_all(MET, l2b=NA, l3a=NOT_MET), 2, id="na-then-gap"),
        pytest.param(_all(NA), 5, id="everything-na-passes-every-level"),
        pytest.param(_all(NA, l3a=NOT_MET), 2, id="only-applicable-criterion-unmet"),
        pytest.param({c: "met" for c in ALL}, 5, id="plain-strings-accepted"),
    ],
)
def test_domain_level(answers, expected):
    assert domain_level(SPEC, answers) == expected


def test_missing_answer_counts_as_not_met():
    with_missing = _all(MET)
    del with_missing["l3a"]
    assert domain_level(SPEC, with_missing) == domain_level(SPEC, _all(MET, l3a=NOT_MET)) == 2


def test_levels_without_criteria_are_passed():
    spec = DomainSpec(id="d", pillar="well_led", criteria_by_level={2: ("a",), 4: ("b",)})
    assert domain_level(spec, {}) == 1
    assert domain_level(spec, {"a": MET}) == 3
    assert domain_level(spec, {"a": MET, "b": MET}) == 5


def test_answers_for_other_domains_are_ignored_even_if_invalid():
    assert domain_level(SPEC, _all(MET, other="banana")) == 5


def test_none_is_no_answer():
    answers = _all(MET, l3a=None)
    assert domain_level(SPEC, answers) == 2
    assert domain_result(SPEC, answers).blocking_criteria == ("l3a",)
    assert score_return([SPEC], answers).domain_levels == {"records": 2}


@pytest.mark.parametrize("bad", ["yes", "MET", ["met"], 1])
@pytest.mark.parametrize("criterion", ["l1a", "l5a"])
def test_a_bad_answer_names_the_criterion_wherever_it_is(criterion, bad):
    # Validated even above the first gap, where it cannot change the level.
    answers = _all(NOT_MET, **{criterion: bad})
    with pytest.raises(ValueError, match=f"'{criterion}'.*is not one of"):
        domain_level(SPEC, answers)
    with pytest.raises(ValueError, match=f"'{criterion}'"):
        domain_result(SPEC, answers)
    with pytest.raises(ValueError, match=f"'{criterion}'"):
        score_return([SPEC], answers)


@pytest.mark.parametrize("level", [0, 6, -1, "1", 2.0, True])
def test_domain_spec_refuses_bad_levels(level):
    with pytest.raises(ValueError, match="level"):
        DomainSpec(id="d", pillar="p", criteria_by_level={level: ("a",)})


def test_domain_spec_refuses_a_criterion_listed_twice():
    with pytest.raises(ValueError, match="'a' is listed twice"):
        DomainSpec(id="d", pillar="p", criteria_by_level={1: ("a",), 2: ("b", "a")})


def test_domain_spec_refuses_a_bare_string_of_criteria():
    with pytest.raises(ValueError, match="sequence of ids"):
        DomainSpec(id="d", pillar="p", criteria_by_level={1: "abc"})


@pytest.mark.parametrize(("domain_id", "pillar"), [("", "p"), ("d", "")])
def test_domain_spec_needs_id_and_pillar(domain_id, pillar):
    with pytest.raises(ValueError):
        DomainSpec(id=domain_id, pillar=pillar, criteria_by_level={})


def test_domain_spec_is_frozen_copy_and_hashable():
    source = {2: ["a", "b"], 1: ["c"]}
    spec = DomainSpec(id="d", pillar="p", criteria_by_level=source)
    source[3] = ["z"]
    source[1].append("y")
    assert dict(spec.criteria_by_level) == {1: ("c",), 2: ("a", "b")}
    assert spec.criterion_ids == ("c", "a", "b")
    with pytest.raises(TypeError):
        spec.criteria_by_level[3] = ("z",)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.id = "e"  # type: ignore[misc]
    twin = DomainSpec(id="d", pillar="p", criteria_by_level={1: ("c",), 2: ("a", "b")})
    assert spec == twin
    assert {spec, twin} == {spec}


@pytest.mark.parametrize(
    ("answers", "level", "blocking", "met_above"),
    [
        ({}, 1, ("l1a", "l2a", "l2b"), 0),
        ({"l1a": MET}, 1, ("l2a", "l2b"), 0),
        (_all(MET, l3a=NOT_MET), 2, ("l3a",), 3),
        (_all(MET, l4b=NA, l5a=NOT_MET), 4, ("l5a",), 0),
        (_all(MET), 5, (), 0),
        (_all(NOT_MET, l1a=MET, l5a=MET), 1, ("l2a", "l2b"), 1),
    ],
)
def test_domain_result_explains_the_level(answers, level, blocking, met_above):
    result = domain_result(SPEC, answers)
    assert result.domain_id == "records"
    assert result.level == level == domain_level(SPEC, answers)
    assert result.blocking_criteria == blocking
    assert result.met_above == met_above


def _ladder(domain_id: str, pillar: str) -> DomainSpec:
    return DomainSpec(
        id=domain_id,
        pillar=pillar,
        criteria_by_level={level: (f"{domain_id}.{level}",) for level in range(1, 6)},
    )


def _at_level(domain_id: str, level: int) -> dict[str, Answer]:
    return {f"{domain_id}.{lvl}": MET if lvl <= level else NOT_MET for lvl in range(1, 6)}


DOMAINS = [
    _ladder("wl1", "well_led"),
    _ladder("wl2", "well_led"),
    _ladder("wl3", "well_led"),
    _ladder("wl4", "well_led"),
    _ladder("sf1", "smart_foundations"),
]
LEVELS = {"wl1": 2, "wl2": 2, "wl3": 2, "wl4": 3, "sf1": 4}
ANSWERS = {k: v for d, lvl in LEVELS.items() for k, v in _at_level(d, lvl).items()}


def test_score_return_worked_example():
    score = score_return(DOMAINS, ANSWERS, comparable_domain_ids={"wl1", "sf1", "retired_domain"})
    assert score.domain_levels == LEVELS
    assert score.pillar_scores == {"well_led": 2.25, "smart_foundations": 4.0}
    assert score.overall == 13 / 5
    assert score.overall_comparable == 3.0
    assert score.method == "wgll_cumulative_levels"
    assert score.rounding == "half_up_1dp"
    assert score.scoring_version == SCORING_VERSION == "1.0.0"


def test_rounded_return_score_rounds_half_up_for_display():
    score = score_return(DOMAINS, ANSWERS, comparable_domain_ids=["wl1", "wl4"])
    rounded = score.rounded()
    assert rounded.pillar_scores == {"well_led": 2.3, "smart_foundations": 4.0}
    assert rounded.overall == 2.6
    assert rounded.overall_comparable == 2.5
    assert rounded.domain_levels == score.domain_levels
    assert (rounded.method, rounded.rounding, rounded.scoring_version) == (
        score.method,
        score.rounding,
        score.scoring_version,
    )
    # The unrounded score is left as it was.
    assert score.pillar_scores["well_led"] == 2.25


def test_overall_weights_each_domain_once_not_each_pillar():
    score = score_return(DOMAINS, ANSWERS)
    pillar_mean = sum(score.pillar_scores.values()) / len(score.pillar_scores)
    assert score.overall == 2.6
    assert pillar_mean == 3.125


def test_pillar_scores_only_for_pillars_with_domains():
    score = score_return([_ladder("a", "well_led")], _at_level("a", 3))
    assert score.pillar_scores == {"well_led": 3.0}


@pytest.mark.parametrize("comparable", [None, [], ["not_in_return"]])
def test_no_comparable_overall_without_comparable_domains(comparable):
    assert score_return(DOMAINS, ANSWERS, comparable).overall_comparable is None


def test_comparable_ids_must_not_be_a_single_string():
    with pytest.raises(TypeError, match="not one string"):
        score_return(DOMAINS, ANSWERS, comparable_domain_ids="wl1")


def test_empty_return_has_no_scores():
    score = score_return([], {})
    assert score == ReturnScore(
        domain_levels={}, pillar_scores={}, overall=None, overall_comparable=None
    )
    assert score.rounded() == score


def test_return_with_no_answers_is_level_1_everywhere():
    score = score_return(DOMAINS, {})
    assert set(score.domain_levels.values()) == {1}
    assert score.overall == 1.0
    assert set(score.pillar_scores.values()) == {1.0}


def test_score_return_refuses_duplicate_domains():
    with pytest.raises(ValueError, match="'wl1' is listed twice"):
        score_return([*DOMAINS, _ladder("wl1", "well_led")], ANSWERS)


def test_as_dict_is_plain_data():
    data = score_return(DOMAINS, ANSWERS, ["wl1"]).rounded().as_dict()
    assert data == {
        "domain_levels": LEVELS,
        "pillar_scores": {"well_led": 2.3, "smart_foundations": 4.0},
        "overall": 2.6,
        "overall_comparable": 2.0,
        "method": "wgll_cumulative_levels",
        "rounding": "half_up_1dp",
        "scoring_version": "1.0.0",
    }


def test_answer_labels():
    assert [a.label for a in Answer] == ["Met", "Not met", "Not applicable"]
    assert [a.value for a in Answer] == ["met", "not_met", "na"]
