"""Stage models in the style of HIMSS EMRAM and INFRAM (method ``stage_cumulative``).

A stage model is a ladder of numbered stages (EMRAM and INFRAM run 0 to 7). Each stage
(:class:`StageSpec`) lists the capabilities it requires and, optionally, a threshold: the fraction
(0 to 1) of its applicable capabilities that must be met. With no threshold every applicable
capability must be met (EMRAM); INFRAM uses a threshold of 0.7.

Answers are the same :class:`~.wgll.Answer` values as WGLL criteria (met, not met, not
applicable), keyed by capability id; a capability with no answer counts as not met.

Rules
    * A stage's own requirement is met when met / applicable >= threshold (with no threshold:
      met == applicable). Not-applicable capabilities leave both counts. A stage with no
      applicable capabilities meets its requirement. The comparison is exact: a threshold of 0.7
      is read as the decimal 0.7, so 7 of 10 passes.
    * Stages are cumulative: a stage is reached only when its own requirement and that of every
      earlier stage are met. Meeting stage 6's capabilities does not count while stage 5 is not met.
    * The lowest stage declared (usually stage 0 with no capabilities) is the floor: it is always
      reached, whatever its capabilities' answers.
    * Stages are ordered by number; numbers need not be consecutive.

Result (:class:`StageResult`)
    ``stage``
        The highest stage reached.
    ``capabilities_met`` / ``capabilities_total``
        Met and applicable capabilities across every stage of the model.
    ``progress_to_next``
        Of the next stage's applicable capabilities, the fraction met (0 to 1); ``None`` at the
        top stage. (The next stage always has applicable capabilities, or it would be reached.)
    ``extra_capabilities_above``
        Capabilities met in stages above the one reached: the credit EMRAM reports as "extra
        points" that do not yet count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .rounding import to_fraction
from .wgll import Answer, normalise_answers

STAGE_METHOD = "stage_cumulative"


@dataclass(frozen=True)
class StageSpec:
    """One stage of a stage model: its number, required capabilities and optional threshold."""

    stage: int
    capabilities: tuple[str, ...]
    threshold: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.stage, bool) or not isinstance(self.stage, int) or self.stage < 0:
            raise ValueError(
                f"a stage number must be a whole number of 0 or more, got {self.stage!r}"
            )
        if isinstance(self.capabilities, str):
            raise ValueError(f"stage {self.stage}: capabilities must be a sequence of ids")
        capabilities = tuple(self.capabilities)
        if len(set(capabilities)) != len(capabilities):
            raise ValueError(f"stage {self.stage}: a capability is listed twice")
        object.__setattr__(self, "capabilities", capabilities)
        if self.threshold is not None:
            if isinstance(self.threshold, bool) or not isinstance(self.threshold, int | float):
                raise ValueError(f"stage {self.stage}: threshold must be a number from 0 to 1")
            if not 0 < self.threshold <= 1:
                raise ValueError(
                    f"stage {self.stage}: threshold must be above 0 and at most 1, "
                    f"got {self.threshold!r}"
                )

    def requirement_met(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this stage's own requirement is met (earlier stages not considered)."""
        met, applicable = _counts(self, answers)
        if applicable == 0:
            return True
        if self.threshold is None:
            return met == applicable
        return Fraction(met, applicable) >= to_fraction(self.threshold)


@dataclass(frozen=True)
class StageResult:
    stage: int
    capabilities_met: int
    capabilities_total: int
    progress_to_next: float | None
    extra_capabilities_above: int
    method: str = STAGE_METHOD


def _counts(spec: StageSpec, answers: Mapping[str, Answer]) -> tuple[int, int]:
    met = applicable = 0
    for capability in spec.capabilities:
        answer = answers.get(capability)
        if answer == Answer.NOT_APPLICABLE:
            continue
        applicable += 1
        if answer == Answer.MET:
            met += 1
    return met, applicable


def _validated(stages: Sequence[StageSpec]) -> list[StageSpec]:
    if not stages:
        raise ValueError("a stage model needs at least one stage")
    ordered = sorted(stages, key=lambda s: s.stage)
    seen_capabilities: set[str] = set()
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if previous.stage == current.stage:
            raise ValueError(f"stage {current.stage} is declared twice")
    for spec in ordered:
        for capability in spec.capabilities:
            if capability in seen_capabilities:
                raise ValueError(f"capability {capability!r} is listed in more than one stage")
            seen_capabilities.add(capability)
    return ordered


def stage_reached(stages: Sequence[StageSpec], answers: Mapping[str, Answer]) -> StageResult:
    """The highest stage reached by cumulative gating (rules in the module docstring)."""
    ordered = _validated(stages)
    wanted = {c for spec in ordered for c in spec.capabilities}
    relevant = normalise_answers({c: a for c, a in answers.items() if c in wanted})

    reached_index = 0
    for index, spec in enumerate(ordered[1:], start=1):
        if not spec.requirement_met(relevant):
            break
        reached_index = index

    met_total = applicable_total = 0
    for spec in ordered:
        met, applicable = _counts(spec, relevant)
        met_total += met
        applicable_total += applicable

    progress: float | None = None
    if reached_index + 1 < len(ordered):
        # The next stage failed its own requirement, so it has applicable capabilities.
        met, applicable = _counts(ordered[reached_index + 1], relevant)
        progress = float(Fraction(met, applicable))

    extra = sum(_counts(spec, relevant)[0] for spec in ordered[reached_index + 1 :])
    return StageResult(
        stage=ordered[reached_index].stage,
        capabilities_met=met_total,
        capabilities_total=applicable_total,
        progress_to_next=progress,
        extra_capabilities_above=extra,
    )


RULES = {
    STAGE_METHOD: (
        "Stage model with cumulative gating (HIMSS EMRAM and INFRAM style)",
        "An organisation reaches a stage when it meets that stage's requirement and the "
        "requirement of every earlier stage. A stage's requirement is that all of its applicable "
        "capabilities are met or, where the model sets a threshold, at least that share of them "
        "(for example 70% for INFRAM). Capabilities answered not applicable are left out of the "
        "count. The lowest stage is always reached. Capabilities met above the stage reached are "
        "reported as extra credit but do not raise the stage.",
    ),
}
