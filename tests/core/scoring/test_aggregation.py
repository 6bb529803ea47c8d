import pytest

from maturity.core.scoring import (
    Aggregate,
    AggregationMethod,
    MemberScore,
    aggregate,
    standard_mix_from_counts,
)

PLAIN = AggregationMethod.PLAIN_MEAN
WEIGHTED = AggregationMethod.POPULATION_WEIGHTED
STANDARDISED = AggregationMethod.CARE_SETTING_STANDARDISED

# A system with three acute trusts and one mental health trust.
MEMBERS = [
    MemberScore("RA1", "acute", 3.0, population=300_000),
    MemberScore("RA2", "acute", 2.0, population=100_000),
    MemberScore("RA3", "acute", 2.5, population=100_000),
    MemberScore("RM1", "mental_health", 1.5, population=500_000),
]
MIX = {"acute": 0.5, "mental_health": 0.2, "community": 0.3}


def test_plain_mean():
    result = aggregate(MEMBERS, PLAIN)
    assert result.value == 9.0 / 4
    assert result.method == "plain_mean"
    assert result.n == 4
    assert result.description == "Plain mean of the scores of 4 organisations, each counting once."


def test_population_weighted_mean():
    result = aggregate(MEMBERS, WEIGHTED)
    # (3*300k + 2*100k + 2.5*100k + 1.5*500k) / 1m = 2.1
    assert result.value == 2.1
    assert result.method == "population_weighted"
    assert result.n == 4
    assert "weighted by the population" in result.description
    assert "1,000,000" in result.description


def test_care_setting_standardised_mean_renormalises_over_settings_present():
    result = aggregate(MEMBERS, STANDARDISED, standard_mix=MIX)
    # acute mean 2.5, mental health 1.5; weights 0.5 and 0.2 renormalised to 5/7 and 2/7.
    assert result.value == pytest.approx((2.5 * 5 + 1.5 * 2) / 7, abs=0)
    assert result.value == 15.5 / 7
    assert result.weights == {"acute": 5 / 7, "mental_health": 2 / 7}
    assert result.method == "care_setting_standardised"
    assert result.n == 4
    assert "acute (3 organisations, weight 0.714)" in result.description
    assert "mental_health (1 organisation, weight 0.286)" in result.description


def test_the_three_methods_rank_differently():
    # The reason the method is recorded with every figure.
    values = {m: aggregate(MEMBERS, m, standard_mix=MIX).value for m in AggregationMethod}
    assert len(set(values.values())) == 3


def test_standardised_removes_the_effect_of_setting_mix():
    # Same per-setting performance, different numbers of acute trusts.
    system_a = [MemberScore("A1", "acute", 3.0), MemberScore("A2", "mental_health", 1.0)]
    system_b = [
        MemberScore("B1", "acute", 3.0),
        MemberScore("B2", "acute", 3.0),
        MemberScore("B3", "acute", 3.0),
        MemberScore("B4", "mental_health", 1.0),
    ]
    mix = {"acute": 0.5, "mental_health": 0.5}
    assert aggregate(system_a, PLAIN).value != aggregate(system_b, PLAIN).value
    assert (
        aggregate(system_a, STANDARDISED, standard_mix=mix).value
        == aggregate(system_b, STANDARDISED, standard_mix=mix).value
        == 2.0
    )


def test_zero_weight_setting_is_left_out():
    mix = {"acute": 1, "mental_health": 0}
    result = aggregate(MEMBERS, STANDARDISED, standard_mix=mix)
    assert result.value == 2.5
    assert result.weights == {"acute": 1.0, "mental_health": 0.0}


@pytest.mark.parametrize("method", list(AggregationMethod))
def test_empty_input_has_no_value(method):
    result = aggregate([], method, standard_mix=MIX)
    assert result == Aggregate(
        value=None, method=method.value, n=0, description="No organisations to aggregate."
    )


@pytest.mark.parametrize("population", [None, 0, -5, float("nan"), float("inf"), True], ids=repr)
def test_population_weighted_refuses_missing_or_non_positive_population(population):
    members = [*MEMBERS, MemberScore("RX9", "acute", 2.0, population=population)]
    with pytest.raises(ValueError, match="population greater than zero.*RX9"):
        aggregate(members, WEIGHTED)


def test_population_weighted_names_every_member_without_population():
    members = [MemberScore("A", "acute", 2.0), MemberScore("B", "acute", 2.0, population=0)]
    with pytest.raises(ValueError, match="for: A, B$"):
        aggregate(members, WEIGHTED)


def test_standardised_needs_a_mix():
    with pytest.raises(ValueError, match="needs a standard_mix"):
        aggregate(MEMBERS, STANDARDISED)


def test_standardised_refuses_a_setting_missing_from_the_mix():
    with pytest.raises(ValueError, match="no weight for care setting.*mental_health"):
        aggregate(MEMBERS, STANDARDISED, standard_mix={"acute": 1.0})


@pytest.mark.parametrize("weight", [-0.1, float("nan"), "0.5"], ids=repr)
def test_standardised_refuses_bad_weights(weight):
    with pytest.raises(ValueError, match="weight for 'acute'"):
        aggregate(MEMBERS, STANDARDISED, standard_mix={"acute": weight, "mental_health": 1})


def test_standardised_refuses_all_zero_weights_for_settings_present():
    with pytest.raises(ValueError, match="zero weight to every care setting"):
        aggregate(MEMBERS, STANDARDISED, standard_mix={"acute": 0, "mental_health": 0})


def test_method_may_be_given_as_its_string_value():
    assert aggregate(MEMBERS, "plain_mean").value == 2.25  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        aggregate(MEMBERS, "median")  # type: ignore[arg-type]


@pytest.mark.parametrize("score", [float("nan"), float("inf")])
def test_member_score_must_be_finite(score):
    with pytest.raises(ValueError, match="RA1: score must be finite"):
        MemberScore("RA1", "acute", score)


def test_member_score_must_be_a_number():
    with pytest.raises(TypeError, match="score must be a number"):
        MemberScore("RA1", "acute", "2.5")  # type: ignore[arg-type]


def test_standard_mix_from_counts():
    assert standard_mix_from_counts({"acute": 120, "mental_health": 50, "community": 30}) == {
        "acute": 0.6,
        "mental_health": 0.25,
        "community": 0.15,
    }
    with pytest.raises(ValueError, match="non-zero"):
        standard_mix_from_counts({"acute": 0})
    with pytest.raises(ValueError, match="zero or more"):
        standard_mix_from_counts({"acute": -1})


def test_method_titles():
    assert AggregationMethod.POPULATION_WEIGHTED.title == "Mean weighted by population served"
