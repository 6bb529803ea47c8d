"""Property tests: invariants that must hold for any framework and any answers."""

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.core.scoring import (
    NHS_NUMBER_UPTAKE,
    AggregationMethod,
    Answer,
    CqcRating,
    DomainSpec,
    MemberScore,
    PhaseIndicator,
    StageSpec,
    aggregate,
    cqc_rating,
    domain_level,
    domain_result,
    gdhm_phase,
    lookup,
    phase_from_score,
    round_half_even,
    round_half_up,
    score_return,
    stage_reached,
)

# No example database: nothing is written outside the test folders. Few examples keep the
# suite fast; each run explores new ones.
PROPERTY = settings(max_examples=30, deadline=None, database=None)
FEWER = settings(max_examples=15, deadline=None, database=None)

ANSWER_OR_MISSING = st.sampled_from([Answer.MET, Answer.NOT_MET, Answer.NOT_APPLICABLE, None])
PILLARS = ["well_led", "smart_foundations", "safe_practice", "support_people"]
SETTINGS = ["acute", "mental_health", "community", "ambulance"]
RATING_ORDER = list(CqcRating)


@st.composite
def domain_specs(draw, domain_id="d", pillar=None):
    criteria = {
        level: tuple(f"{domain_id}.{level}.{i}" for i in range(draw(st.integers(0, 3))))
        for level in range(1, 6)
        if draw(st.booleans()) or level == 1
    }
    return DomainSpec(
        id=domain_id,
        pillar=pillar or draw(st.sampled_from(PILLARS)),
        criteria_by_level=criteria,
    )


def answers_for(criterion_ids):
    return st.fixed_dictionaries({c: ANSWER_OR_MISSING for c in criterion_ids}).map(
        lambda answers: {c: a for c, a in answers.items() if a is not None}
    )


@st.composite
def spec_and_answers(draw):
    spec = draw(domain_specs())
    return spec, draw(answers_for(spec.criterion_ids))


@st.composite
def return_and_answers(draw):
    count = draw(st.integers(0, 6))
    specs = [draw(domain_specs(domain_id=f"dom{i}")) for i in range(count)]
    answers = draw(answers_for([c for s in specs for c in s.criterion_ids]))
    comparable = draw(st.sets(st.sampled_from([f"dom{i}" for i in range(8)])))
    return specs, answers, comparable


def _oracle_level(spec, answers):
    """The rule as written: the highest L whose criteria and all lower ones are met."""
    passed = [
        level
        for level in range(1, 6)
        if all(
            answers.get(c) == Answer.MET
            for lower in range(1, level + 1)
            for c in spec.criteria_by_level.get(lower, ())
            if answers.get(c) != Answer.NOT_APPLICABLE
        )
    ]
    return max([1, *passed])


@PROPERTY
@given(spec_and_answers())
def test_level_is_within_1_to_5_and_matches_the_rule(case):
    spec, answers = case
    level = domain_level(spec, answers)
    assert 1 <= level <= 5
    assert level == _oracle_level(spec, answers)
    assert domain_result(spec, answers).level == level


@PROPERTY
@given(spec_and_answers(), st.data())
def test_meeting_more_criteria_never_lowers_a_level(case, data):
    spec, answers = case
    upgradable = sorted(c for c in spec.criterion_ids if answers.get(c) != Answer.NOT_APPLICABLE)
    upgraded = data.draw(st.sets(st.sampled_from(upgradable)) if upgradable else st.just(set()))
    better = {**answers, **dict.fromkeys(upgraded, Answer.MET)}
    assert domain_level(spec, better) >= domain_level(spec, answers)


@FEWER
@given(return_and_answers(), st.randoms(use_true_random=False))
def test_answer_and_domain_order_never_change_a_result(case, random):
    specs, answers, comparable = case
    shuffled_specs = [
        DomainSpec(
            id=s.id,
            pillar=s.pillar,
            criteria_by_level={
                level: tuple(random.sample(list(ids), len(ids)))
                for level, ids in reversed(list(s.criteria_by_level.items()))
            },
        )
        for s in random.sample(specs, len(specs))
    ]
    items = list(answers.items())
    random.shuffle(items)
    comparable_list = list(comparable)
    random.shuffle(comparable_list)
    first = score_return(specs, answers, comparable)
    second = score_return(shuffled_specs, dict(items), comparable_list)
    assert first == second
    assert first.rounded() == second.rounded()


@PROPERTY
@given(return_and_answers())
def test_return_scores_stay_within_1_to_5(case):
    specs, answers, comparable = case
    score = score_return(specs, answers, comparable)
    levels = list(score.domain_levels.values())
    for figure in (score, score.rounded()):
        for value in figure.pillar_scores.values():
            assert 1 <= value <= 5
        for value in (figure.overall, figure.overall_comparable):
            assert value is None or 1 <= value <= 5
    assert set(score.pillar_scores) == {s.pillar for s in specs}
    if levels:
        assert min(levels) <= score.overall <= max(levels)
    else:
        assert score.overall is None


finite_scores = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
populations = st.integers(1, 3_000_000) | st.floats(min_value=0.5, max_value=1e7)


@st.composite
def members(draw, score=None):
    count = draw(st.integers(1, 12))
    return [
        MemberScore(
            organisation=f"ORG{i}",
            care_setting=draw(st.sampled_from(SETTINGS)),
            score=draw(finite_scores) if score is None else score,
            population=draw(populations),
        )
        for i in range(count)
    ]


MIXES = st.fixed_dictionaries({s: st.floats(min_value=0.01, max_value=10) for s in SETTINGS})


@PROPERTY
@given(finite_scores.flatmap(lambda s: st.tuples(st.just(s), members(score=s))), MIXES)
def test_aggregate_of_identical_scores_is_that_score_under_every_method(case, mix):
    score, group = case
    for method in AggregationMethod:
        result = aggregate(group, method, standard_mix=mix)
        assert result.value == score
        assert result.n == len(group)


@PROPERTY
@given(members(), MIXES, st.randoms(use_true_random=False))
def test_aggregate_is_within_the_range_and_ignores_member_order(group, mix, random):
    low, high = min(m.score for m in group), max(m.score for m in group)
    shuffled = random.sample(group, len(group))
    for method in AggregationMethod:
        result = aggregate(group, method, standard_mix=mix)
        assert low <= result.value <= high
        assert aggregate(shuffled, method, standard_mix=mix) == result


@st.composite
def stage_models(draw):
    count = draw(st.integers(1, 6))
    numbers = sorted(draw(st.sets(st.integers(0, 9), min_size=count, max_size=count)))
    return [
        StageSpec(
            stage=number,
            capabilities=tuple(f"s{number}.{i}" for i in range(draw(st.integers(0, 4)))),
            threshold=draw(st.none() | st.sampled_from([0.5, 0.7, 0.75, 1.0])),
        )
        for number in numbers
    ]


@PROPERTY
@given(stage_models(), st.data())
def test_meeting_more_capabilities_never_lowers_a_stage(model, data):
    ids = [c for spec in model for c in spec.capabilities]
    answers = data.draw(answers_for(ids))
    upgradable = sorted(c for c in ids if answers.get(c) != Answer.NOT_APPLICABLE)
    upgraded = data.draw(st.sets(st.sampled_from(upgradable)) if upgradable else st.just(set()))
    better = {**answers, **dict.fromkeys(upgraded, Answer.MET)}
    before, after = stage_reached(model, answers), stage_reached(model, better)
    assert after.stage >= before.stage
    assert after.capabilities_met >= before.capabilities_met
    assert before.stage in {spec.stage for spec in model}
    assert before.stage >= model[0].stage
    assert 0 <= before.capabilities_met <= before.capabilities_total
    if before.stage == model[-1].stage:
        assert before.progress_to_next is None
    else:
        assert 0 <= before.progress_to_next < 1
    assert stage_reached(list(reversed(model)), answers) == before


@PROPERTY
@given(st.integers(-(10**6), 10**6), st.integers(1, 3))
def test_rounding_matches_decimal_arithmetic_on_decimal_values(k, digits):
    value = k / 10**digits  # a decimal with up to `digits` places, as the nearest float
    exact = Decimal(k).scaleb(-digits)
    assert round_half_up(value, 1) == float(exact.quantize(Decimal("0.1"), ROUND_HALF_UP))
    assert round_half_even(value, 1) == float(exact.quantize(Decimal("0.1"), ROUND_HALF_EVEN))


@PROPERTY
@given(st.lists(st.integers(1, 4), min_size=1, max_size=40), st.data())
def test_cqc_rating_never_falls_when_a_score_rises(scores, data):
    index = data.draw(st.integers(0, len(scores) - 1))
    raised = list(scores)
    raised[index] = min(4, raised[index] + 1)
    before, after = cqc_rating(scores), cqc_rating(raised)
    assert 25 <= before.percentage <= 100
    assert RATING_ORDER.index(CqcRating(after.rating)) >= RATING_ORDER.index(
        CqcRating(before.rating)
    )


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.none() | st.integers(1, 5)), max_size=20
    )
)
def test_phases_stay_within_1_to_5(rows):
    result = gdhm_phase(
        [PhaseIndicator(f"i{n}", cat, phase) for n, (cat, phase) in enumerate(rows)]
    )
    if result.overall is None:
        assert result.phase is None
    else:
        assert 1 <= result.overall <= 5
        assert result.phase in {1, 2, 3, 4, 5}
        assert result.phase == phase_from_score(result.overall)
        assert result.phase >= math.floor(result.overall)


@PROPERTY
@given(st.floats(0, 100), st.floats(0, 100))
def test_nhs_number_lookup_never_falls_as_uptake_rises(a, b):
    low, high = sorted((a, b))
    assert lookup(NHS_NUMBER_UPTAKE, low) <= lookup(NHS_NUMBER_UPTAKE, high)
