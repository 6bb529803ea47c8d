from fractions import Fraction

import numpy as np
import pytest

from maturity.core.stats import (
    UndefinedStatisticError,
    coincidences,
    kappa_weights,
    krippendorff_alpha,
    weighted_kappa,
    weighted_kappa_from_table,
)

# Cohen (1968), "Weighted kappa", table 1: shares of 200 items in three diagnostic categories.
COHEN_1968 = [[0.44, 0.07, 0.09], [0.05, 0.20, 0.05], [0.01, 0.03, 0.06]]

# Altman (1991), Practical Statistics for Medical Research: two radiologists' classification of
# 85 xeromammograms (Boyd et al. 1982) as normal, benign, suspected cancer, cancer.
# Rows: first radiologist; columns: second.
XEROMAMMOGRAMS = [[21, 12, 0, 0], [4, 17, 1, 0], [3, 9, 15, 2], [0, 0, 0, 1]]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four observers
# (rows) rating twelve units (columns) on a 1-5 scale, None where an observer did not rate.
N = None
KRIPPENDORFF_2011_BY_OBSERVER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
KRIPPENDORFF_2011 = [list(unit) for unit in zip(*KRIPPENDORFF_2011_BY_OBSERVER, strict=True)]


def _ratings(table):
    """Two raters' ratings (categories 1..k) reproducing a table of counts."""
    first, second = [], []
    for i, row in enumerate(table, start=1):
        for j, count in enumerate(row, start=1):
            first += [i] * count
            second += [j] * count
    return first, second


def test_cohen_1968_published_kappas():
    # Cohen reports unweighted kappa .492 and, with disagreement weights 1, 3 and 6, .348;
    # with the non-symmetric weights of his second example .353.
    unweighted = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    assert weighted_kappa_from_table(COHEN_1968, unweighted) == pytest.approx(0.492, abs=5e-4)
    weights = [[0, 1, 3], [1, 0, 6], [3, 6, 0]]
    assert weighted_kappa_from_table(COHEN_1968, weights) == pytest.approx(0.348, abs=5e-4)
    asymmetric = [[0, 1, 4], [1, 0, 6], [2, 2, 0]]
    assert weighted_kappa_from_table(COHEN_1968, asymmetric) == pytest.approx(0.353, abs=5e-4)


def test_xeromammograms_kappa_by_hand():
    # Agreement 21 + 17 + 15 + 1 = 54 of 85. Row totals 33, 22, 29, 1; column totals 28, 38,
    # 16, 3. Chance agreement (33x28 + 22x38 + 29x16 + 1x3) / 85^2 = 2227 / 7225.
    # kappa = (54/85 - 2227/7225) / (1 - 2227/7225) = (4590 - 2227) / (7225 - 2227) = 2363/4998
    # = 0.473, as Altman reports (0.47).
    unweighted = [[0 if i == j else 1 for j in range(4)] for i in range(4)]
    assert weighted_kappa_from_table(XEROMAMMOGRAMS, unweighted) == pytest.approx(2363 / 4998)


def test_xeromammograms_linear_weighted_kappa():
    # Linear disagreement weights 0, 1/3, 2/3, 1 (Altman's agreement weights 1, 0.67, 0.33, 0).
    # Observed, in items: (12 + 4 + 1 + 9 + 2) x 1/3 + 3 x 2/3 = 34/3.
    # Expected, in items: sum of row total x column total x weight / 85, with
    # one step apart 33x38 + 22x28 + 22x16 + 29x38 + 29x3 + 1x16 = 3427 (x 1/3),
    # two apart 33x16 + 29x28 + 22x3 + 1x38 = 1444 (x 2/3), three apart 33x3 + 1x28 = 127:
    # (3427 + 2888 + 381) / 3 / 85 = 2232 / 85.
    # kappa_w = 1 - (34/3) / (2232/85) = 1 - 2890/6696 = 1903/3348 = 0.568; Altman: 0.57.
    first, second = _ratings(XEROMAMMOGRAMS)
    kappa = weighted_kappa(first, second, categories=[1, 2, 3, 4], weights="linear")
    assert kappa == pytest.approx(1903 / 3348)
    assert round(kappa, 2) == 0.57


def test_quadratic_weighted_kappa_by_hand():
    # Four items on a 1-3 scale: a = 1, 2, 3, 3 and b = 1, 3, 3, 2. Quadratic weights
    # (i - j)^2 / 4: observed disagreement (0 + 1/4 + 0 + 1/4) / 4 = 1/8.
    # Marginals a: 1/4, 1/4, 1/2; b: 1/4, 1/4, 1/2. Expected disagreement
    # sum a_i b_j (i - j)^2 / 4 = [2 x (1/16 x 1) + 2 x (1/8 x 4) + 2 x (1/8 x 1)] / 4 = 11/32.
    # kappa = 1 - (1/8) / (11/32) = 1 - 4/11 = 7/11.
    kappa = weighted_kappa([1, 2, 3, 3], [1, 3, 3, 2], categories=[1, 2, 3])
    assert kappa == pytest.approx(7 / 11)


def test_quadratic_kappa_equals_the_covariance_form():
    # kappa_w(quadratic) = 2 cov(a, b) / (var a + var b + (mean a - mean b)^2), variances over n.
    rng = np.random.default_rng(7)
    a = rng.integers(1, 6, size=60)
    b = np.clip(a + rng.integers(-1, 3, size=60), 1, 5)
    expected = (
        2
        * np.mean((a - a.mean()) * (b - b.mean()))
        / (a.var() + b.var() + (a.mean() - b.mean()) ** 2)
    )
    kappa = weighted_kappa(a.tolist(), b.tolist(), categories=[1, 2, 3, 4, 5])
    assert kappa == pytest.approx(expected)


def test_kappa_distances_are_positions_on_the_scale():
    # Categories 0, 10, 20 are three equally spaced steps whatever their labels.
    by_labels = weighted_kappa([0, 10, 20, 20], [0, 20, 20, 10], categories=[0, 10, 20])
    by_positions = weighted_kappa([1, 2, 3, 3], [1, 3, 3, 2], categories=[1, 2, 3])
    assert by_labels == by_positions


def test_kappa_of_identical_ratings_is_exactly_one():
    assert weighted_kappa([1, 2, 2, 4], [1, 2, 2, 4], categories=[1, 2, 3, 4]) == 1.0
    assert weighted_kappa([3, 1], [3, 1], categories=[1, 2, 3], weights="linear") == 1.0


def test_kappa_of_opposite_ratings_is_negative():
    # a = 1, 3 and b = 3, 1: every item maximally apart.
    # Observed disagreement 1; expected: marginals 1/2, 0, 1/2 each, so
    # 2 x (1/2 x 1/2 x 1) = 1/2. kappa = 1 - 1 / (1/2) = -1.
    assert weighted_kappa([1, 3], [3, 1], categories=[1, 2, 3]) == -1.0


def test_kappa_is_undefined_when_every_rating_is_the_same():
    with pytest.raises(UndefinedStatisticError, match="undefined"):
        weighted_kappa([2, 2, 2], [2, 2, 2], categories=[1, 2, 3])
    # It is a ValueError, so callers that catch ValueError see it.
    assert issubclass(UndefinedStatisticError, ValueError)


def test_kappa_weights():
    assert kappa_weights(3, "linear") == [
        [0, Fraction(1, 2), 1],
        [Fraction(1, 2), 0, Fraction(1, 2)],
        [1, Fraction(1, 2), 0],
    ]
    assert kappa_weights(3, "quadratic")[0] == [0, Fraction(1, 4), 1]


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "error"),
    [
        ([1, 2], [1], {"categories": [1, 2]}, ValueError),
        ([], [], {"categories": [1, 2]}, ValueError),
        ([1, 5], [1, 2], {"categories": [1, 2]}, ValueError),
        ([1, 2], [1, 2], {"categories": [1, 1, 2]}, ValueError),
        ([1, 2], [1, 2], {"categories": [1]}, ValueError),
        ([1, 2], [1, 2], {"categories": [1, 2], "weights": "cubic"}, ValueError),
        ([1, 2], [1, 2], {"categories": [1.0, 2.0]}, TypeError),
        ([True, 2], [1, 2], {"categories": [1, 2]}, ValueError),
    ],
)
def test_invalid_kappa_arguments(a, b, kwargs, error):
    with pytest.raises(error):
        weighted_kappa(a, b, **kwargs)


def test_invalid_kappa_tables():
    with pytest.raises(ValueError, match="square"):
        weighted_kappa_from_table([[1, 2]], [[0, 1]])
    with pytest.raises(ValueError, match="same size"):
        weighted_kappa_from_table([[1, 2], [3, 4]], [[0, 1]])
    with pytest.raises(ValueError, match="negative"):
        weighted_kappa_from_table([[1, -2], [3, 4]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="empty"):
        weighted_kappa_from_table([[0, 0], [0, 0]], [[0, 1], [1, 0]])


def test_krippendorff_2011_coincidence_matrix():
    # The coincidence matrix printed in the paper: n_c = 9, 13, 10, 5, 3 and n = 40 pairable
    # values (unit 12 has a single value and is left out).
    matrix, margins = coincidences(KRIPPENDORFF_2011)
    third = Fraction(1, 3)
    expected_rows = {
        1: [7, 4 * third, third, third, 0],
        2: [4 * third, 10, 4 * third, third, 0],
        3: [third, 4 * third, 8, third, 0],
        4: [third, third, third, 4, 0],
        5: [0, 0, 0, 0, 3],
    }
    for c, row in expected_rows.items():
        assert [matrix.get((c, k), 0) for k in range(1, 6)] == row
    assert margins == {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}


def test_krippendorff_2011_nominal_alpha():
    # Observed: off-diagonal coincidences 40 - (7 + 10 + 8 + 4 + 3) = 8.
    # Expected: n^2 - sum n_c^2 = 1600 - (81 + 169 + 100 + 25 + 9) = 1216.
    # alpha = 1 - (n - 1) x 8 / 1216 = 1 - 312/1216 = 113/152 = 0.743, as published.
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, level="nominal")
    assert alpha == pytest.approx(113 / 152)
    assert round(alpha, 3) == 0.743


def test_krippendorff_2011_interval_alpha():
    # Observed sum o_ck (c - k)^2 = 2 x [4/3x1 + 1/3x4 + 1/3x9 + 4/3x1 + 1/3x4 + 1/3x1] = 52/3.
    # Expected sum n_c n_k (c - k)^2 = 2 x [117 + 360 + 405 + 432 + 130 + 260 + 351 + 50 + 120
    # + 15] = 4480. alpha = 1 - 39 x (52/3) / 4480 = 951/1120 = 0.849, as published.
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, level="interval")
    assert alpha == pytest.approx(951 / 1120)
    assert round(alpha, 3) == 0.849


def test_krippendorff_2011_ordinal_and_ratio_alpha():
    # Published: ordinal 0.815, ratio 0.797 (exact values from the same coincidence matrix).
    ordinal = krippendorff_alpha(KRIPPENDORFF_2011, level="ordinal")
    ratio = krippendorff_alpha(KRIPPENDORFF_2011, level="ratio")
    assert ordinal == pytest.approx(108577 / 133160)
    assert ratio == pytest.approx(18222619 / 22852465)
    assert (round(ordinal, 3), round(ratio, 3)) == (0.815, 0.797)
    assert krippendorff_alpha(KRIPPENDORFF_2011) == ordinal  # ordinal is the default


def test_krippendorff_ordinal_difference_by_hand():
    # Two units rated (1, 2) and (2, 3): o_12 = o_21 = o_23 = o_32 = 1; n_1 = 1, n_2 = 2, n_3 = 1.
    # Ordinal d: d_12 = (1 + 2 - 3/2)^2 = 9/4, d_23 = 9/4, d_13 = (1 + 2 + 1 - 1)^2 = 9.
    # Observed 4 x 9/4 = 9; expected 2 x (1x2x9/4 + 2x1x9/4 + 1x1x9) = 36.
    # alpha = 1 - (4 - 1) x 9 / 36 = 1/4.
    assert krippendorff_alpha([[1, 2], [2, 3]], level="ordinal") == pytest.approx(0.25)


def test_krippendorff_perfect_agreement_is_one():
    units = [[1, 1, None], [3, 3, 3], [2, None, 2]]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(units, level=level) == 1.0


def test_krippendorff_undefined_cases_are_none():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None  # nothing pairable
    assert krippendorff_alpha([[2, 2], [2, 2, 2]]) is None  # no variation at all


def test_krippendorff_leaves_out_units_with_one_value():
    with_single = KRIPPENDORFF_2011 + [[None, 4, None, None]]
    assert krippendorff_alpha(with_single, level="interval") == krippendorff_alpha(
        KRIPPENDORFF_2011, level="interval"
    )


def test_krippendorff_invalid_arguments():
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2]], level="cardinal")
    with pytest.raises(ValueError, match="finite"):
        krippendorff_alpha([[1, float("nan")]])
    with pytest.raises(TypeError):
        krippendorff_alpha([[1, "2"]])
    with pytest.raises(ValueError, match="negative"):
        krippendorff_alpha([[-1, 2]], level="ratio")
