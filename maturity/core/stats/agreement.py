"""Agreement between raters: weighted kappa and Krippendorff's alpha.

Used to calibrate peer reviewers: how far two reviewers (or a reviewer and the moderated
reference) agree beyond what chance would give. 1 is perfect agreement, 0 is agreement no
better than chance, below 0 is systematic disagreement.

Rules
    ``weighted_kappa`` (Cohen, "Weighted kappa", Psychological Bulletin 1968; 70:213-220)
        Two raters rate the same items on an ordered scale of k categories. With p_ij the share
        of items rated category i by the first rater and j by the second, p_i. and p.j the two
        raters' shares of each category, and a disagreement weight w_ij that grows with the
        distance between the categories' positions on the scale,
        kappa_w = 1 - sum(w_ij x p_ij) / sum(w_ij x p_i. x p.j).
        ``linear`` weights are w_ij = |i - j| / (k - 1); ``quadratic`` weights are
        w_ij = (i - j)^2 / (k - 1)^2, so a near miss costs little and a large miss a lot.
        Quadratic weighted kappa equals 2 x cov(a, b) / (var(a) + var(b) + (mean(a) - mean(b))^2)
        over the category positions (variances over n). Kappa is undefined, and
        :class:`UndefinedStatisticError` (a ``ValueError``) raised, when both raters put every
        item in the same single category: there is then no disagreement that chance could give.
        Arithmetic is exact (rational), so identical ratings give exactly 1.
    ``krippendorff_alpha`` (Krippendorff, "Computing Krippendorff's alpha-reliability", 2011)
        Any number of raters, any number of units, missing ratings allowed. Units with fewer than
        two ratings are left out (they cannot be compared). Within each remaining unit u with m_u
        ratings every ordered pair of ratings (c, k) from different raters adds 1 / (m_u - 1) to
        the coincidence o_ck; n_c = sum over k of o_ck and n = sum of n_c is the number of
        pairable ratings. Then alpha = 1 - (n - 1) x sum(o_ck x d_ck) / sum(n_c x n_k x d_ck),
        with the difference d_ck chosen by the level of measurement:
        nominal d = 0 if c = k else 1; ordinal d = (sum of n_g for g from c to k -
        (n_c + n_k) / 2)^2; interval d = (c - k)^2; ratio d = ((c - k) / (c + k))^2. Alpha is
        undefined (``None``) when no unit has two ratings or every pairable rating is the same
        value. Arithmetic is exact (rational).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from numbers import Integral

from ._checks import UndefinedStatisticError, choice, finite

KAPPA_METHOD = "weighted_kappa"
ALPHA_METHOD = "krippendorff_alpha"

KAPPA_WEIGHTS: tuple[str, ...] = ("linear", "quadratic")
ALPHA_LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")


def _exact(value: object, what: str) -> Fraction:
    finite(value, what)
    return Fraction(value)  # type: ignore[arg-type]


def weighted_kappa_from_table(
    table: Sequence[Sequence[float]], disagreement: Sequence[Sequence[float]]
) -> float:
    """Cohen's weighted kappa from a k x k table of counts or shares and disagreement weights.

    ``table[i][j]`` is the number (or share) of items the first rater put in category i and the
    second in category j; ``disagreement[i][j]`` is the weight of that disagreement (0 on the
    diagonal for the usual kappa). Raises :class:`UndefinedStatisticError` when the chance
    disagreement is 0.
    """
    k = len(table)
    if k == 0 or any(len(row) != k for row in table):
        raise ValueError("the table must be square with at least one category")
    if len(disagreement) != k or any(len(row) != k for row in disagreement):
        raise ValueError("the disagreement weights must be a table of the same size")
    cells = [[_exact(v, "each table entry") for v in row] for row in table]
    weights = [[_exact(v, "each disagreement weight") for v in row] for row in disagreement]
    if any(v < 0 for row in cells for v in row) or any(v < 0 for row in weights for v in row):
        raise ValueError("table entries and disagreement weights cannot be negative")
    total = sum((v for row in cells for v in row), Fraction(0))
    if total == 0:
        raise ValueError("the table is empty")
    rows = [sum(row, Fraction(0)) / total for row in cells]
    columns = [sum((cells[i][j] for i in range(k)), Fraction(0)) / total for j in range(k)]
    observed = sum(
        (weights[i][j] * cells[i][j] / total for i in range(k) for j in range(k)), Fraction(0)
    )
    expected = sum(
        (weights[i][j] * rows[i] * columns[j] for i in range(k) for j in range(k)), Fraction(0)
    )
    if expected == 0:
        raise UndefinedStatisticError(
            "kappa is undefined: chance disagreement is zero (every rating in one category)"
        )
    return float(1 - observed / expected)


def kappa_weights(k: int, weights: str = "quadratic") -> list[list[Fraction]]:
    """The k x k disagreement weights for ``linear`` or ``quadratic`` weighting."""
    choice(weights, "weights", KAPPA_WEIGHTS)
    if k < 2:
        raise ValueError("a weighted kappa needs at least two categories")
    power = 1 if weights == "linear" else 2
    return [[Fraction(abs(i - j), k - 1) ** power for j in range(k)] for i in range(k)]


def weighted_kappa(
    rater_a: Sequence[int],
    rater_b: Sequence[int],
    *,
    categories: Sequence[int],
    weights: str = "quadratic",
) -> float:
    """Cohen's weighted kappa for two raters' ratings of the same items (rules above).

    ``categories`` lists the scale in order (for example ``(1, 2, 3, 4, 5)``); distances are
    positions on it. Every rating must be one of them.
    """
    scale = list(categories)
    if len(set(scale)) != len(scale):
        raise ValueError("categories must not repeat")
    for category in scale:
        if isinstance(category, bool) or not isinstance(category, Integral):
            raise TypeError(f"each category must be a whole number, got {category!r}")
    disagreement = kappa_weights(len(scale), weights)
    if len(rater_a) != len(rater_b):
        raise ValueError(
            f"the raters must rate the same items: {len(rater_a)} and {len(rater_b)} ratings"
        )
    if not rater_a:
        raise ValueError("a kappa of no ratings is undefined")
    position = {category: i for i, category in enumerate(scale)}
    table = [[0] * len(scale) for _ in scale]
    for a, b in zip(rater_a, rater_b, strict=True):
        for rating in (a, b):
            if isinstance(rating, bool) or rating not in position:
                raise ValueError(f"rating {rating!r} is not one of the categories {scale!r}")
        table[position[a]][position[b]] += 1
    return weighted_kappa_from_table(table, disagreement)


def coincidences(
    units: Sequence[Sequence[float | None]],
) -> tuple[dict[tuple[Fraction, Fraction], Fraction], dict[Fraction, Fraction]]:
    """Krippendorff's coincidence matrix o_ck and the marginals n_c (pairable values only)."""
    matrix: Counter[tuple[Fraction, Fraction]] = Counter()
    for unit in units:
        if isinstance(unit, str | bytes):
            raise TypeError("each unit must be a sequence of ratings")
        values = Counter(_exact(v, "each rating") for v in unit if v is not None)
        m = sum(values.values())
        if m < 2:
            continue
        for c, n_c in values.items():
            for k, n_k in values.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    matrix[(c, k)] += Fraction(pairs, m - 1)
    margins: Counter[Fraction] = Counter()
    for (c, _k), count in matrix.items():
        margins[c] += count
    return dict(matrix), dict(margins)


def _differences(level: str, margins: dict[Fraction, Fraction]):
    values = sorted(margins)
    if level == "nominal":
        return lambda c, k: Fraction(0 if c == k else 1)
    if level == "interval":
        return lambda c, k: (c - k) ** 2
    if level == "ratio":
        if values and values[0] < 0:
            raise ValueError("ratio-level ratings cannot be negative")
        return lambda c, k: Fraction(0) if c == k else ((c - k) / (c + k)) ** 2
    # ordinal: cumulative marginals make the sum over the ranks from c to k a subtraction.
    rank = {value: i for i, value in enumerate(values)}
    cumulative = [Fraction(0)]
    for value in values:
        cumulative.append(cumulative[-1] + margins[value])

    def ordinal(c: Fraction, k: Fraction) -> Fraction:
        low, high = sorted((rank[c], rank[k]))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (margins[c] + margins[k]) / 2) ** 2

    return ordinal


def krippendorff_alpha(
    units: Sequence[Sequence[float | None]], *, level: str = "ordinal"
) -> float | None:
    """Krippendorff's alpha for units x raters (``None`` = not rated); ``None`` if undefined."""
    choice(level, "level", ALPHA_LEVELS)
    if isinstance(units, str | bytes):
        raise TypeError("units must be a sequence of units, each a sequence of ratings")
    matrix, margins = coincidences(units)
    n = sum(margins.values(), Fraction(0))
    if n == 0:
        return None
    delta = _differences(level, margins)
    observed = sum((o * delta(c, k) for (c, k), o in matrix.items()), Fraction(0))
    expected = sum(
        (margins[c] * margins[k] * delta(c, k) for c in margins for k in margins), Fraction(0)
    )
    if expected == 0:
        return None
    return float(1 - (n - 1) * observed / expected)


RULES = {
    KAPPA_METHOD: (
        "Weighted kappa (agreement between two reviewers)",
        "How far two reviewers agree on an ordered scale beyond the agreement chance would give. "
        "Each disagreement is weighted by how far apart the two ratings are on the scale: in "
        "proportion to the distance (linear weights) or to its square (quadratic weights, the "
        "default, so near misses cost little). Kappa is 1 minus the weighted disagreement "
        "observed divided by the weighted disagreement expected by chance from each reviewer's "
        "own spread of ratings (Cohen 1968). 1 means perfect agreement, 0 agreement no better "
        "than chance. It cannot be computed when every rating is the same.",
    ),
    ALPHA_METHOD: (
        "Krippendorff's alpha (agreement among several reviewers)",
        "How far any number of reviewers agree, allowing for ratings that are missing. Units "
        "rated by fewer than two reviewers are left out. Alpha is 1 minus the disagreement "
        "observed between ratings of the same unit divided by the disagreement expected between "
        "ratings paired at random (Krippendorff 2011), with differences measured for nominal, "
        "ordinal (the default, by ranks), interval or ratio ratings. 1 means perfect agreement, "
        "0 agreement no better than chance. It cannot be computed when every rating is the same.",
    ),
}
