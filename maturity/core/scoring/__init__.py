"""The scoring library: pure, versioned and reproducible (no Django, no database).

Plain dataclasses go in and plain dataclasses come out, so a stored score can be recomputed
exactly from the answers, the edition and the scoring version that produced it.

Models
    :mod:`.wgll`
        What Good Looks Like: domain levels 1-5 by cumulative gating, pillar and overall means,
        the comparable overall for year-on-year change (:func:`domain_level`,
        :func:`score_return`).
    :mod:`.aggregation`
        System, region and nation figures: plain mean, population-weighted mean,
        care-setting-standardised mean (:func:`aggregate`).
    :mod:`.stages`
        Stage models, HIMSS EMRAM/INFRAM style (:func:`stage_reached`).
    :mod:`.phases`
        Phase models, WHO Global Digital Health Monitor style (:func:`gdhm_phase`).
    :mod:`.cqc`
        CQC-style ratings from 1-4 scores (:func:`cqc_rating`).
    :mod:`.dmi`
        0-100 lookup tables and answer scales, 2016 Digital Maturity Index (:func:`lookup`,
        :func:`dmi_theme_score`, :func:`dmi_index`).
    :mod:`.rounding`
        Display rounding (:func:`round_half_up`, :func:`round_half_even`) and exact means.

Each module's docstring states its rules precisely; :func:`describe_methods` gives them in plain
English for the published methods page.

Scoring version (``SCORING_VERSION``, semantic versioning, stored with every score)
    * MAJOR: any change that can give a different result for the same input: a gating, N/A,
      missing-answer, mean, rounding, band or threshold rule, or a shipped table such as
      ``NHS_NUMBER_UPTAKE``. This includes fixing a bug that changed results. Stored scores
      keep the version that produced them.
    * MINOR: a new model, method, table or result field that leaves every existing result as it
      was.
    * PATCH: no result changes: documentation, error messages, validation messages, speed.
"""

from .aggregation import (
    Aggregate,
    AggregationMethod,
    MemberScore,
    aggregate,
    standard_mix_from_counts,
)
from .cqc import CQC_BANDS, CqcRating, CqcResult, band_for_percentage, cqc_rating
from .dmi import (
    AGREE_SCALE,
    NHS_NUMBER_UPTAKE,
    PERCENTAGE_BANDS,
    STRUCTURE_SCALE,
    LookupBand,
    LookupTable,
    OrdinalScale,
    dmi_index,
    dmi_theme_score,
    lookup,
)
from .methods import describe_method, describe_methods
from .phases import PhaseIndicator, PhaseResult, gdhm_phase, phase_from_score
from .rounding import HALF_EVEN_1DP, HALF_UP_1DP, exact_mean, round_half_even, round_half_up
from .stages import StageResult, StageSpec, stage_reached
from .version import SCORING_VERSION
from .wgll import (
    WGLL_METHOD,
    Answer,
    DomainResult,
    DomainSpec,
    ReturnScore,
    domain_level,
    domain_result,
    normalise_answers,
    score_return,
)

__all__ = [
    "AGREE_SCALE",
    "CQC_BANDS",
    "HALF_EVEN_1DP",
    "HALF_UP_1DP",
    "NHS_NUMBER_UPTAKE",
    "PERCENTAGE_BANDS",
    "SCORING_VERSION",
    "STRUCTURE_SCALE",
    "WGLL_METHOD",
    "Aggregate",
    "AggregationMethod",
    "Answer",
    "CqcRating",
    "CqcResult",
    "DomainResult",
    "DomainSpec",
    "LookupBand",
    "LookupTable",
    "MemberScore",
    "OrdinalScale",
    "PhaseIndicator",
    "PhaseResult",
    "ReturnScore",
    "StageResult",
    "StageSpec",
    "aggregate",
    "band_for_percentage",
    "cqc_rating",
    "describe_method",
    "describe_methods",
    "dmi_index",
    "dmi_theme_score",
    "domain_level",
    "domain_result",
    "exact_mean",
    "gdhm_phase",
    "lookup",
    "normalise_answers",
    "phase_from_score",
    "round_half_even",
    "round_half_up",
    "score_return",
    "stage_reached",
    "standard_mix_from_counts",
]
