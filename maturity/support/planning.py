"""From a funding programme and a scenario to an optimisation problem, and from its solution to
what is stored and shown. Reads only: the services write.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, replace

from maturity.core.optimise import (
    OBJECTIVES,
    OPTIMISER_VERSION,
    Candidate,
    CoreLevelDefinition,
    Problem,
    SensitivityRow,
    Solution,
    at_core_level,
    combine_settings,
    precedence_pairs,
    priorities,
    scaled_costs,
    sensitivity,
    solve,
)
from maturity.core.vocab import PILLAR_LABELS, Pillar
from maturity.organisations.models import Organisation

from .baseline import OrgContext, collection_date, organisation_contexts, published_rows
from .models import FundingProgramme, Scenario

# One solve is a mixed-integer programme over a few hundred organisations: well under a second.
# The limit only guards against pathological inputs; a result stopped by it says so.
SOLVE_TIME_LIMIT = 20.0
# Each move is a re-solve; together they are kept to what a page request can wait for.
SENSITIVITY_TIME_LIMIT = 5.0
SENSITIVITY_ALLOWANCE = 20.0
LABELS = {p.value: PILLAR_LABELS[p] for p in Pillar}


def definition_of(programme: FundingProgramme) -> CoreLevelDefinition:
    return CoreLevelDefinition(
        thresholds={p: float(v) for p, v in (programme.core_thresholds or {}).items()},
        combine=programme.core_combine,
    )


@dataclass(frozen=True)
class Baseline:
    """One organisation in a programme's target population."""

    context: OrgContext
    scores: dict[str, float]  # combined across care settings, pillars of the definition
    overall: float | None  # mean of the overall scores of its care settings
    care_settings: list[str]
    eligible: bool
    reason: str  # why it is not eligible

    @property
    def organisation(self) -> Organisation:
        return self.context.organisation


@dataclass(frozen=True)
class Population:
    baselines: list[Baseline]
    definition: CoreLevelDefinition
    not_judged: list[Organisation]  # results lack a pillar the definition needs
    source_note: str

    @property
    def at_core_level(self) -> int:
        return sum(at_core_level(b.scores, self.definition.thresholds) for b in self.baselines)


def programme_population(programme: FundingProgramme) -> Population:
    definition = definition_of(programme)
    rows = published_rows(
        years=[programme.baseline_year],
        care_settings=programme.care_settings or None,
        kinds=programme.target_kinds or None,
    )
    by_org: dict[int, list] = defaultdict(list)
    for row in rows:
        by_org[row.organisation_id].append(row)
    contexts = organisation_contexts(by_org, on=collection_date(programme.baseline_year))
    regions = set(programme.eligible_region_codes or [])
    baselines, not_judged = [], []
    for org_id, org_rows in by_org.items():
        context = contexts[org_id]
        scores = combine_settings([r.pillars for r in org_rows], definition)
        if scores is None:
            not_judged.append(context.organisation)
            continue
        overalls = [r.overall for r in org_rows if r.overall is not None]
        overall = math.fsum(overalls) / len(overalls) if overalls else None
        reason = ""
        if regions and (context.region is None or context.region.ods_code not in regions):
            reason = "Not in an eligible region"
        elif (
            programme.max_baseline_overall is not None
            and overall is not None
            and overall > programme.max_baseline_overall
        ):
            reason = f"Overall score above {programme.max_baseline_overall:g}"
        baselines.append(
            Baseline(
                context=context,
                scores=scores,
                overall=overall,
                care_settings=sorted(r.care_setting for r in org_rows),
                eligible=not reason,
                reason=reason,
            )
        )
    baselines.sort(key=lambda b: (b.organisation.name, b.organisation.ods_code))
    not_judged.sort(key=lambda o: o.name)
    note = rows[0].source_note if rows else ""
    return Population(baselines, definition, not_judged, note)


def build_problem(scenario: Scenario, population: Population) -> Problem:
    baselines = population.baselines
    found = priorities(
        [b.context.population for b in baselines],
        [b.context.deprivation for b in baselines],
        population_exponent=scenario.population_exponent,
        deprivation_weight=scenario.deprivation_weight,
        size_elasticity=scenario.cost_size_elasticity,
    )
    # A level gained costs the cost of a level bought over the share expected to be realised.
    costs = {p: float(v) / scenario.realisation for p, v in (scenario.cost_per_level or {}).items()}
    cap = float(scenario.cap_per_organisation_gbp) if scenario.cap_per_organisation_gbp else None
    candidates = tuple(
        Candidate(
            key=b.organisation.ods_code,
            scores=b.scores,
            cost_per_level=scaled_costs(costs, priority.size_factor),
            group=b.context.icb.ods_code if b.context.icb else None,
            weight=priority.weight,
            cap=cap,
            eligible=b.eligible,
        )
        for b, priority in zip(baselines, found, strict=True)
    )
    floors = {}
    if scenario.icb_floor_gbp:
        floors = {
            b.context.icb.ods_code: float(scenario.icb_floor_gbp)
            for b in baselines
            if b.context.icb is not None and b.eligible
        }
    thresholds = dict(population.definition.thresholds)
    return Problem(
        candidates=candidates,
        thresholds=thresholds,
        budget=float(scenario.budget_gbp),
        objective=scenario.objective,
        group_floors=floors,
        precedence=precedence_pairs(thresholds) if scenario.smart_foundations_first else (),
        step=scenario.step,
        target_share=scenario.programme.target_share,
        time_limit=SOLVE_TIME_LIMIT,
    )


@dataclass(frozen=True)
class Solved:
    population: Population
    problem: Problem
    solution: Solution
    sensitivity: list[SensitivityRow]


def solve_scenario(scenario: Scenario) -> Solved:
    """Solve a scenario and move each of its constraints (raises ProblemError on bad inputs)."""
    population = programme_population(scenario.programme)
    problem = build_problem(scenario, population)
    solution = solve(problem)
    rows: list[SensitivityRow] = []
    if solution.solved:
        quick = replace(problem, time_limit=SENSITIVITY_TIME_LIMIT)
        rows = sensitivity(quick, solution, allowance=SENSITIVITY_ALLOWANCE)
    return Solved(population, problem, solution, rows)


def _names(population: Population) -> dict[str, str]:
    names = {}
    for b in population.baselines:
        names[b.organisation.ods_code] = b.organisation.name
        if b.context.icb is not None:
            names[b.context.icb.ods_code] = b.context.icb.name
    return names


def result_json(scenario: Scenario, solved: Solved) -> dict:
    """What is kept of a solve: inputs, outcome, constraints and moves, all plain JSON."""
    solution, population = solved.solution, solved.population
    names = _names(population)
    constraints = []
    for c in solution.constraints:
        label = c.label
        if c.kind == "cap":
            label = f"Cap for {names.get(c.key, c.key)}"
        elif c.kind == "floor":
            label = f"Floor for {names.get(c.key, c.key)}"
        elif c.kind == "precedence":
            pairs = "; ".join(
                f"{LABELS[before]} before {LABELS[after]}"
                for before, after in solved.problem.precedence
            )
            label = f"Smart foundations first ({pairs})"
        constraints.append(asdict(c) | {"label": label})
    return {
        "optimiser_version": OPTIMISER_VERSION,
        "status": solution.status,
        "message": solution.message,
        "objective": solution.objective,
        "objective_words": OBJECTIVES[solution.objective],
        "objective_value": solution.objective_value,
        "solve_seconds": solution.solve_seconds,
        "outcome": asdict(solution.outcome) if solution.outcome else None,
        "constraints": constraints,
        "sensitivity": [asdict(row) for row in solved.sensitivity],
        "inputs": {
            "definition": population.definition.as_dict(),
            "definition_words": population.definition.describe(LABELS),
            "budget_gbp": float(scenario.budget_gbp),
            "cost_per_level": dict(scenario.cost_per_level),
            "cost_size_elasticity": scenario.cost_size_elasticity,
            "realisation": scenario.realisation,
            "population_exponent": scenario.population_exponent,
            "deprivation_weight": scenario.deprivation_weight,
            "cap_per_organisation_gbp": _money(scenario.cap_per_organisation_gbp),
            "icb_floor_gbp": _money(scenario.icb_floor_gbp),
            "smart_foundations_first": scenario.smart_foundations_first,
            "precedence": [list(p) for p in solved.problem.precedence],
            "step": scenario.step,
            "baseline_year": scenario.programme.baseline_year,
            "target_share": scenario.programme.target_share,
            "population": len(population.baselines),
            "not_judged": [o.ods_code for o in population.not_judged],
            "source_note": population.source_note,
        },
    }


def _money(value) -> float | None:
    return float(value) if value is not None else None
