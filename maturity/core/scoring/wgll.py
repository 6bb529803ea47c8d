"""What Good Looks Like (WGLL) domain levels and return scores, as NHS England scores the DMA.

Inputs
    A return answers criteria. Each answer is :class:`Answer` ``met``, ``not_met`` or ``na`` (not
    applicable), keyed by the criterion's stable id. A domain is declared by :class:`DomainSpec`:
    its id, its pillar and, for each level 1 to 5, the ids of the criteria at that level.

Domain level (method ``wgll_cumulative_levels``)
    A domain's level is the highest level L in 1..5 such that every criterion at levels 1 to L is
    met (cumulative gating: a criterion not met at level 3 caps the domain at level 2, whatever is
    met at levels 4 and 5). Not-applicable criteria are left out. A level with no criteria, or
    whose criteria are all not applicable, counts as passed. A criterion with no answer counts as
    not met, as does one answered ``None``. The floor is level 1: an organisation that meets
    nothing is at level 1.

Return score
    ``domain_levels``
        The level of every domain scored, by domain id.
    ``pillar_scores``
        For each pillar that has at least one domain, the unrounded mean of its domains' levels.
    ``overall``
        The unrounded mean of all domain levels (each domain counts once, whatever its pillar).
    ``overall_comparable``
        The unrounded mean of the levels of the comparable domains only: those named in
        ``comparable_domain_ids`` that are among the domains scored. Ids of domains not in the
        return are ignored. It is ``None`` when no comparable ids are given or none is present.
        Year-on-year change is computed on this figure.

Means are exact (the sum of integer levels divided once by their count), so the order of domains
or answers never changes a result.
Scores are rounded for display only, by ``round_half_up(value, 1)`` (rule ``half_up_1dp``);
:meth:`ReturnScore.rounded` gives the displayed figures.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .rounding import HALF_UP_1DP, round_half_up
from .version import SCORING_VERSION

LEVELS = (1, 2, 3, 4, 5)
MIN_LEVEL = 1
MAX_LEVEL = 5
WGLL_METHOD = "wgll_cumulative_levels"


class Answer(StrEnum):
    """An answer to one criterion."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return _ANSWER_LABELS[self]


_ANSWER_LABELS = {
    Answer.MET: "Met",
    Answer.NOT_MET: "Not met",
    Answer.NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class DomainSpec:
    """A WGLL domain as the scoring engine needs it.

    ``criteria_by_level`` maps a level (1 to 5) to the ids of the criteria at that level, in any
    order. Levels may be omitted (they have no criteria and so are passed). A criterion id may
    appear at one level only. The mapping is copied and frozen on construction.
    """

    id: str
    pillar: str
    criteria_by_level: Mapping[int, tuple[str, ...]] = field(hash=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a domain needs an id")
        if not self.pillar:
            raise ValueError(f"domain {self.id!r} needs a pillar")
        frozen: dict[int, tuple[str, ...]] = {}
        seen: set[str] = set()
        for level, criteria in self.criteria_by_level.items():
            if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
                raise ValueError(f"domain {self.id!r}: level must be an integer 1-5, got {level!r}")
            if isinstance(criteria, str):
                raise ValueError(
                    f"domain {self.id!r} level {level}: criteria must be a sequence of ids, "
                    "not a single string"
                )
            ids = tuple(criteria)
            for criterion in ids:
                if criterion in seen:
                    raise ValueError(f"domain {self.id!r}: criterion {criterion!r} is listed twice")
                seen.add(criterion)
            frozen[level] = ids
        object.__setattr__(
            self, "criteria_by_level", MappingProxyType(dict(sorted(frozen.items())))
        )

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        """Every criterion id of the domain, level by level."""
        return tuple(c for level in LEVELS for c in self.criteria_by_level.get(level, ()))


@dataclass(frozen=True)
class DomainResult:
    """A domain's level with what stands between it and the next level."""

    domain_id: str
    level: int
    #: Applicable criteria not met at levels up to level + 1: what must be met to go up one level.
    #: Empty at level 5.
    blocking_criteria: tuple[str, ...]
    #: Criteria met at levels above ``level`` (credit that does not count until the gap is closed).
    met_above: int


_VALID_ANSWERS = frozenset(Answer)
# Plain strings compare equal to the Answer members and are faster to compare in the hot loop.
_MET = Answer.MET.value
_NA = Answer.NOT_APPLICABLE.value


def _bad_answer(criterion: str, value: object) -> ValueError:
    allowed = ", ".join(repr(a.value) for a in Answer)
    return ValueError(f"criterion {criterion!r}: answer {value!r} is not one of {allowed}")


def normalise_answers(answers: Mapping[str, Answer | str | None]) -> dict[str, Answer]:
    """Answers as :class:`Answer` members, leaving out ``None`` (no answer).

    Raises ``ValueError`` naming the criterion when a value is not an answer.
    """
    result: dict[str, Answer] = {}
    for criterion, value in answers.items():
        if value is None:
            continue
        try:
            result[criterion] = Answer(value)
        except ValueError:
            raise _bad_answer(criterion, value) from None
    return result


def _is_valid(answer: object) -> bool:
    try:
        return answer in _VALID_ANSWERS
    except TypeError:  # unhashable
        return False


def _is_met(answer: Answer | str | None) -> bool:
    return answer == _MET


def _is_na(answer: Answer | str | None) -> bool:
    return answer == _NA


def domain_level(spec: DomainSpec, answers: Mapping[str, Answer]) -> int:
    """The domain's level 1-5 by cumulative gating (see the module docstring for the rule)."""
    # One pass over the domain's criteria: it validates every answer of the domain (not only
    # those before the first gap) and notes the first level with an unmet criterion. This is the
    # hot path of a national rescore, so it avoids building intermediate collections.
    level = MAX_LEVEL
    get = answers.get
    for lvl, criteria in spec.criteria_by_level.items():
        for criterion in criteria:
            answer = get(criterion)
            if answer == _MET or answer == _NA:
                continue
            if answer is not None and not _is_valid(answer):
                raise _bad_answer(criterion, answer)
            if lvl <= level:
                level = lvl - 1
    return max(MIN_LEVEL, level)


def domain_result(spec: DomainSpec, answers: Mapping[str, Answer]) -> DomainResult:
    """The domain's level plus the criteria blocking the next level and the credit above it."""
    relevant = normalise_answers(_relevant(spec, answers))
    level = domain_level(spec, relevant)
    # Every unmet criterion up to the next level: above level 1 that is the next level's, at the
    # floor it may include level 1's own criteria too.
    blocking = tuple(
        criterion
        for lvl in LEVELS
        if lvl <= level + 1
        for criterion in _unmet_at(spec, relevant, lvl)
    )
    met_above = sum(
        1
        for lvl in LEVELS
        if lvl > level
        for criterion in spec.criteria_by_level.get(lvl, ())
        if _is_met(relevant.get(criterion))
    )
    return DomainResult(
        domain_id=spec.id, level=level, blocking_criteria=blocking, met_above=met_above
    )


def _unmet_at(spec: DomainSpec, answers: Mapping[str, Answer], level: int) -> tuple[str, ...]:
    return tuple(
        criterion
        for criterion in spec.criteria_by_level.get(level, ())
        if not _is_na(answers.get(criterion)) and not _is_met(answers.get(criterion))
    )


def _relevant(spec: DomainSpec, answers: Mapping[str, Answer | str]) -> dict[str, Answer | str]:
    # Only this domain's answers are validated, so one bad answer elsewhere names its own domain.
    return {c: answers[c] for c in spec.criterion_ids if c in answers}


@dataclass(frozen=True)
class ReturnScore:
    """The scores of one return, with the method, display rounding and scoring version used."""

    domain_levels: dict[str, int]
    pillar_scores: dict[str, float]
    overall: float | None
    overall_comparable: float | None
    method: str = WGLL_METHOD
    rounding: str = HALF_UP_1DP
    scoring_version: str = SCORING_VERSION

    def rounded(self) -> ReturnScore:
        """The same scores with pillar and overall figures rounded for display (half up, 1 dp)."""
        return replace(
            self,
            pillar_scores={p: round_half_up(v, 1) for p, v in self.pillar_scores.items()},
            overall=None if self.overall is None else round_half_up(self.overall, 1),
            overall_comparable=(
                None
                if self.overall_comparable is None
                else round_half_up(self.overall_comparable, 1)
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, for storing with the return."""
        return asdict(self)


def score_return(
    domains: Sequence[DomainSpec],
    answers: Mapping[str, Answer],
    comparable_domain_ids: Collection[str] | None = None,
) -> ReturnScore:
    """Score a return: every domain's level, pillar means, overall and comparable overall means."""
    seen: set[str] = set()
    for spec in domains:
        if spec.id in seen:
            raise ValueError(f"domain {spec.id!r} is listed twice")
        seen.add(spec.id)

    domain_levels = {spec.id: domain_level(spec, answers) for spec in domains}

    by_pillar: dict[str, list[int]] = {}
    for spec in domains:
        by_pillar.setdefault(spec.pillar, []).append(domain_levels[spec.id])
    # Levels are integers, so sum / count is the exactly rounded mean (as exact_mean would give).
    pillar_scores = {pillar: sum(levels) / len(levels) for pillar, levels in by_pillar.items()}

    overall = sum(domain_levels.values()) / len(domain_levels) if domain_levels else None

    overall_comparable: float | None = None
    if comparable_domain_ids is not None:
        if isinstance(comparable_domain_ids, str):
            raise TypeError("comparable_domain_ids must be a collection of ids, not one string")
        wanted = set(comparable_domain_ids)
        comparable = [level for domain_id, level in domain_levels.items() if domain_id in wanted]
        if comparable:
            overall_comparable = sum(comparable) / len(comparable)

    return ReturnScore(
        domain_levels=domain_levels,
        pillar_scores=pillar_scores,
        overall=overall,
        overall_comparable=overall_comparable,
    )


RULES = {
    WGLL_METHOD: (
        "WGLL domain level (cumulative gating)",
        "Each domain is scored as a whole number from 1 to 5: the highest level for which every "
        "criterion at that level and at every lower level is met. A criterion not met at one "
        "level caps the domain below that level, whatever is met above it. Criteria answered "
        "not applicable are left out; a level with no applicable criteria counts as passed; a "
        "criterion with no answer counts as not met. An organisation meeting nothing is at "
        "level 1.",
    ),
    "wgll_pillar_mean": (
        "WGLL pillar score",
        "A pillar's score is the mean of the levels of its domains in the return, kept unrounded "
        "and shown to one decimal place (round half up).",
    ),
    "wgll_overall_mean": (
        "WGLL overall score",
        "The overall score is the mean of the levels of all domains in the return, each domain "
        "counting once, kept unrounded and shown to one decimal place (round half up).",
    ),
    "wgll_overall_comparable": (
        "WGLL comparable overall score",
        "For comparisons between years, the overall score is the mean over only the domains "
        "marked comparable with the previous edition. If the return has none of them there is "
        "no comparable score.",
    ),
}
