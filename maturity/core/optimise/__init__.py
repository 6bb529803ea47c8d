"""Allocating a funding pot to bring organisations to the core level of digitisation.

Pure Python (NumPy, SciPy's HiGHS): no Django. Plain dataclasses in, plain dataclasses out.

Modules
    :mod:`.core_level`
        The core level of digitisation as data (:class:`CoreLevelDefinition`, our stated
        assumption), combining care settings and the gaps to close.
    :mod:`.problem`
        The problem (:class:`Problem`, :class:`Candidate`) and the answer (:class:`Solution`).
    :mod:`.solver`
        :func:`solve`: the mixed-integer programme, binding constraints and dual values.
    :mod:`.sensitivity`
        :func:`sensitivity`: how the result changes when a constraint moves.
    :mod:`.priority`
        Priority weights from population served and deprivation; cost scaled by size.
"""

from .core_level import (
    COMBINE_RULES,
    DEFAULT_CORE_LEVEL,
    DEPENDS_ON,
    EVERY_SETTING,
    MEAN_OF_SETTINGS,
    CoreLevelDefinition,
    DefinitionError,
    at_core_level,
    combine_settings,
    definition_problems,
    gaps,
    precedence_pairs,
)
from .priority import Priority, priorities, scaled_costs
from .problem import (
    FEASIBLE,
    INFEASIBLE,
    MIN_COST,
    OBJECTIVES,
    OPTIMAL,
    REACH,
    STATUSES,
    UPLIFT,
    Allocation,
    Candidate,
    ConstraintReport,
    Outcome,
    Problem,
    ProblemError,
    Solution,
    check_problem,
    need_cost,
    problem_errors,
)
from .sensitivity import NOT_TRIED, Move, SensitivityRow, apply_move, default_moves, sensitivity
from .solver import solve
from .version import OPTIMISER_VERSION

__all__ = [
    "COMBINE_RULES",
    "DEFAULT_CORE_LEVEL",
    "DEPENDS_ON",
    "EVERY_SETTING",
    "FEASIBLE",
    "INFEASIBLE",
    "MEAN_OF_SETTINGS",
    "MIN_COST",
    "NOT_TRIED",
    "OBJECTIVES",
    "OPTIMAL",
    "OPTIMISER_VERSION",
    "REACH",
    "STATUSES",
    "UPLIFT",
    "Allocation",
    "Candidate",
    "ConstraintReport",
    "CoreLevelDefinition",
    "DefinitionError",
    "Move",
    "Outcome",
    "Priority",
    "Problem",
    "ProblemError",
    "SensitivityRow",
    "Solution",
    "apply_move",
    "at_core_level",
    "check_problem",
    "combine_settings",
    "default_moves",
    "definition_problems",
    "gaps",
    "need_cost",
    "precedence_pairs",
    "priorities",
    "problem_errors",
    "scaled_costs",
    "sensitivity",
    "solve",
]
