from fractions import Fraction

import pytest

from maturity.core.scoring import PhaseIndicator, PhaseResult, gdhm_phase, phase_from_score


def _category(name: str, *phases: int | None) -> list[PhaseIndicator]:
    return [PhaseIndicator(f"{name}.{i}", name, p) for i, p in enumerate(phases)]


@pytest.mark.parametrize(
    ("score", "phase"),
    [
        (2.25, 3),  # shown 2.2 (half even), ceiling 3
        (3.0, 3),
        (2.05, 2),  # shown 2.0
        (2.01, 2),
        (2.06, 3),  # shown 2.1
        (2.15, 3),  # shown 2.2
        (1.0, 1),
        (1.04, 1),
        (1.05, 1),  # shown 1.0
        (4.95, 5),  # shown 5.0 (half even: 4.9|5.0 -> 5.0)
        (4.85, 5),  # shown 4.8
        (5.0, 5),
        (0.0, 1),  # 0 becomes phase 1
        (0.04, 1),  # shown 0.0
        (Fraction(41, 20), 2),
    ],
)
def test_phase_from_score(score, phase):
    assert phase_from_score(score) == phase


def test_phase_from_score_refuses_negative_scores():
    with pytest.raises(ValueError, match="negative"):
        phase_from_score(-0.5)


def test_worked_example_mean_2_25():
    result = gdhm_phase(_category("governance", 2, 2, 2, 3))
    assert result.category_scores == {"governance": 2.25}
    assert result.category_display == {"governance": 2.2}
    assert result.category_phases == {"governance": 3}
    assert (result.overall, result.overall_display, result.phase) == (2.25, 2.2, 3)


def test_worked_example_mean_3():
    result = gdhm_phase(_category("a", 3, 3) + _category("b", 2, 4))
    assert (result.overall, result.phase) == (3.0, 3)


def test_worked_example_mean_2_05_from_two_categories():
    # Category means 2.0 and 2.1; overall 2.05 is shown as 2.0, phase 2.
    indicators = _category("a", 2) + _category("b", *([2] * 9), 3)
    result = gdhm_phase(indicators)
    assert result.category_scores == {"a": 2.0, "b": 2.1}
    assert result.category_phases == {"a": 2, "b": 3}
    assert result.overall == 2.05
    assert result.overall_display == 2.0
    assert result.phase == 2


def test_not_applicable_indicators_are_skipped():
    result = gdhm_phase(_category("a", 4, None, 2) + _category("b", None, 5))
    assert result.category_scores == {"a": 3.0, "b": 5.0}
    assert result.overall == 4.0


def test_overall_is_mean_of_category_means_not_of_indicators():
    result = gdhm_phase(_category("a", 1, 1, 1) + _category("b", 5))
    assert result.overall == 3.0  # indicator mean would be 2.0
    assert result.phase == 3


def test_all_not_applicable_category_has_no_score_and_is_left_out():
    result = gdhm_phase(_category("a", None, None) + _category("b", 4))
    assert result.category_scores == {"a": None, "b": 4.0}
    assert result.category_phases == {"a": None, "b": 4}
    assert result.category_display == {"a": None, "b": 4.0}
    assert result.overall == 4.0


@pytest.mark.parametrize(
    "indicators", [[], _category("a", None), _category("a", None) + _category("b", None)]
)
def test_nothing_applicable_has_no_overall_or_phase(indicators):
    result = gdhm_phase(indicators)
    assert result.overall is None
    assert result.overall_display is None
    assert result.phase is None


def test_true_tie_from_exact_means():
    # Mean 43/20 = 2.15 exactly: half even gives 2.2, phase 3.
    result = gdhm_phase(_category("a", *([2] * 17), 3, 3, 3))
    assert result.overall_display == 2.2
    assert result.phase == 3


@pytest.mark.parametrize("phase", [0, 6, -1, 2.5, True, "3"])
def test_indicator_phase_must_be_1_to_5_or_none(phase):
    with pytest.raises(ValueError, match="phase must be 1-5"):
        PhaseIndicator("i1", "a", phase)


def test_duplicate_indicator_is_refused():
    with pytest.raises(ValueError, match="'i1' is listed twice"):
        gdhm_phase([PhaseIndicator("i1", "a", 2), PhaseIndicator("i1", "b", 3)])


def test_result_names_its_method():
    assert gdhm_phase([]) == PhaseResult({}, None, None, {})
    assert gdhm_phase([]).method == "gdhm_phase"
