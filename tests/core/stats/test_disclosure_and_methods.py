import pytest

from maturity.core.stats import (
    STATS_VERSION,
    SUPPRESSION_THRESHOLD,
    describe_method,
    describe_methods,
    is_suppressed,
    suppress,
    suppress_figure,
)


@pytest.mark.parametrize(
    ("count", "published"),
    [(0, 0), (1, None), (2, None), (4, None), (5, 5), (6, 6), (250, 250)],
)
def test_counts_of_one_to_four_are_suppressed(count, published):
    assert suppress(count) == published


def test_zero_is_published_and_not_suppressed():
    assert is_suppressed(0) is False
    assert suppress(0) == 0


def test_the_threshold_can_be_raised():
    assert SUPPRESSION_THRESHOLD == 5
    assert suppress(7, threshold=8) is None
    assert suppress(8, threshold=8) == 8
    # A threshold of 1 suppresses nothing.
    assert suppress(1, threshold=1) == 1


def test_figures_of_a_suppressed_group_are_suppressed():
    assert suppress_figure(3.4, count=3) is None
    assert suppress_figure(3.4, count=5) == 3.4
    assert suppress_figure({"median": 2.0}, count=0) == {"median": 2.0}


@pytest.mark.parametrize(
    ("count", "threshold", "error"),
    [(-1, 5, ValueError), (2.0, 5, TypeError), (True, 5, TypeError), (3, 0, ValueError)],
)
def test_invalid_suppression_arguments(count, threshold, error):
    with pytest.raises(error):
        suppress(count, threshold=threshold)


def test_every_method_is_described():
    methods = describe_methods()
    names = [method["name"] for method in methods]
    assert names == [
        "deciles_linear",
        "percentile_rank_mean",
        "group_summary",
        "robust_z_mad",
        "funnel_binomial_exact",
        "weighted_kappa",
        "krippendorff_alpha",
        "trajectory_ols_t",
        "small_number_suppression",
    ]
    for method in methods:
        assert set(method) == {"name", "title", "rule", "kind", "kind_title", "stats_version"}
        assert method["title"] and len(method["rule"]) > 80
        assert method["stats_version"] == STATS_VERSION


def test_results_name_the_method_that_describes_them():
    from datetime import date

    from maturity.core.stats import fit_trajectory, funnel_limits, summarise

    named = {
        summarise([1, 2]).method,
        funnel_limits(0.5, 10).method,
        fit_trajectory([(date(2020, 1, 1), 1.0)], deadline=date(2021, 1, 1), target=2).method,
    }
    known = {method["name"] for method in describe_methods()}
    assert named - known == {"single_observation"}  # a fallback of trajectory_ols_t
    assert describe_method("trajectory_ols_t")["kind"] == "commitments"


def test_unknown_method():
    with pytest.raises(KeyError, match="no statistical method"):
        describe_method("league_table")
