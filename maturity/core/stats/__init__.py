"""The statistics library: pure and reproducible (no Django, no database).

Plain values go in and plain values or frozen dataclasses come out. numpy and scipy do the
distribution functions; sums that decide a result (kappa, alpha, the trajectory fit) are exact
rational arithmetic, so results do not depend on the order of the inputs.

Modules
    :mod:`.descriptive`
        Benchmarks: deciles as OpenPrescribing draws them (:func:`deciles`), the percentile rank
        of a return (:func:`percentile_of`), group summaries (:func:`summarise`) and, for
        validation, robust z-scores (:func:`robust_z`).
    :mod:`.funnel`
        Funnel plot limits for proportions, exact binomial with Spiegelhalter's interpolation
        (:func:`funnel_limits`, :func:`funnel_curve`, :func:`funnel_position`).
    :mod:`.agreement`
        Reviewer calibration: Cohen's weighted kappa (:func:`weighted_kappa`) and
        Krippendorff's alpha (:func:`krippendorff_alpha`).
    :mod:`.trajectory`
        Commitments: a straight-line trend with a prediction interval at the deadline and the
        probability of meeting the target on time (:func:`fit_trajectory`).
    :mod:`.disclosure`
        Small-number suppression for open data (:func:`suppress`).

Each module's docstring states its rules precisely; :func:`describe_methods` gives them in plain
English for the published methods page. ``STATS_VERSION`` follows the same rules as the scoring
version (see :mod:`.version`).
"""

from ._checks import UndefinedStatisticError
from .agreement import (
    ALPHA_LEVELS,
    KAPPA_WEIGHTS,
    coincidences,
    kappa_weights,
    krippendorff_alpha,
    weighted_kappa,
    weighted_kappa_from_table,
)
from .descriptive import (
    CENTILES,
    GroupSummary,
    centiles,
    deciles,
    percentile_of,
    robust_z,
    summarise,
)
from .disclosure import SUPPRESSION_THRESHOLD, is_suppressed, suppress, suppress_figure
from .funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    POSITIONS,
    WITHIN,
    FunnelLimits,
    funnel_curve,
    funnel_limits,
    funnel_position,
    position_against,
)
from .methods import describe_method, describe_methods
from .trajectory import DIRECTIONS, Trajectory, fit_trajectory
from .version import STATS_VERSION

__all__ = [
    "ABOVE_95",
    "ABOVE_998",
    "ALPHA_LEVELS",
    "BELOW_95",
    "BELOW_998",
    "CENTILES",
    "DIRECTIONS",
    "KAPPA_WEIGHTS",
    "POSITIONS",
    "STATS_VERSION",
    "SUPPRESSION_THRESHOLD",
    "WITHIN",
    "FunnelLimits",
    "GroupSummary",
    "Trajectory",
    "UndefinedStatisticError",
    "centiles",
    "coincidences",
    "deciles",
    "describe_method",
    "describe_methods",
    "fit_trajectory",
    "funnel_curve",
    "funnel_limits",
    "funnel_position",
    "is_suppressed",
    "kappa_weights",
    "krippendorff_alpha",
    "percentile_of",
    "position_against",
    "robust_z",
    "summarise",
    "suppress",
    "suppress_figure",
    "weighted_kappa",
    "weighted_kappa_from_table",
]
