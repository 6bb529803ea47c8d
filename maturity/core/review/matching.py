"""Matching each committed return with a reviewing organisation: an assignment problem.

Rules (method ``peer_matching_milp``)
    Eligible pairs
        An organisation may review a return when it answers the same care setting, it is not the
        return's own organisation, and both belong to a known integrated care system (ICS) and
        the two systems differ. A pair listed in ``excluded`` (a declared conflict of interest,
        the first reviewer of a blind second review) is never eligible. Nothing else is a hard
        rule.
    Load
        An organisation reviews at most ``max_load`` returns in the cycle, counting every care
        setting and the ``existing_load`` it already carries.
    Cost of a pair
        How different the two organisations are in size: ``|ln(size of reviewer / size of
        reviewee)|``, capped at ln 20 (about 3.0) so one huge difference cannot dominate. When
        either size is not known the cost is ln 2 (as if one were twice the other).
    Objective, in strict order of priority
        1. as many returns matched as possible;
        2. then as few reciprocal pairs as possible (A reviews one of B's returns and B reviews one
           of A's in the same cycle);
        3. then the smallest total size difference.
        The priorities are strict: the penalty for a reciprocal pair is larger than any possible
        total of size costs, and the penalty for an unmatched return larger than any possible
        total of reciprocal penalties and size costs.
    Candidate pruning
        To keep the problem small at national scale, each return considers only its
        ``candidates_per_return`` eligible reviewers of most similar size (``None``: all). The
        optimum is exact over the candidates kept.
    Solver
        A mixed-integer linear programme solved by HiGHS through ``scipy.optimize.milp`` with a
        relative gap of 0 (proven optimal). Binary variables: x(r, p) for return r reviewed by
        organisation p; u(r) for r unmatched; z(A, B) for "A reviews at least one of B's
        returns" where the reverse is possible; y(A, B) for "A and B review each other".
        Constraints: sum_p x(r, p) + u(r) = 1; sum_r x(r, p) <= capacity(p); x(r, p) <= z(A, B)
        for r of B; z(A, B) + z(B, A) - y(A, B) <= 1.

Every match carries a plain-English explanation of why this peer was chosen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

MATCHING_METHOD = "peer_matching_milp"

#: Size ratios beyond 20 cost no more than 20 (ln 20 is about 3.0).
SIZE_COST_CAP = math.log(20)
#: Cost of a pair when either size is not known: as if one organisation were twice the other.
UNKNOWN_SIZE_COST = math.log(2)
DEFAULT_MAX_LOAD = 2
DEFAULT_CANDIDATES = 40


@dataclass(frozen=True)
class Reviewee:
    """A committed return that needs a reviewer."""

    key: str
    organisation: str
    care_setting: str
    ics: str | None
    size: float | None = None
    name: str = ""
    ics_name: str = ""
    size_basis: str = "population served"


@dataclass(frozen=True)
class ReviewerOrganisation:
    """An organisation able to review returns of the care settings it answers itself."""

    organisation: str
    care_settings: frozenset[str]
    ics: str | None
    size: float | None = None
    name: str = ""
    ics_name: str = ""
    size_basis: str = "population served"


@dataclass(frozen=True)
class Match:
    reviewee: str
    reviewer: str
    cost: float
    #: Reviewer size / reviewee size, when both are known.
    size_ratio: float | None
    reciprocal: bool
    explanation: str


@dataclass(frozen=True)
class Unmatched:
    reviewee: str
    reason: str


@dataclass(frozen=True)
class MatchingResult:
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    #: Organisations' review counts after matching (including ``existing_load``).
    load: Mapping[str, int]
    reciprocal_pairs: int
    max_load: int
    method: str = MATCHING_METHOD
    details: Mapping[str, float] = field(default_factory=dict)

    def reviewer_of(self, reviewee: str) -> str | None:
        for match in self.matches:
            if match.reviewee == reviewee:
                return match.reviewer
        return None


class MatchingError(ValueError):
    """The inputs cannot be matched as given (duplicate keys, a bad load)."""


def pair_cost(reviewee_size: float | None, reviewer_size: float | None) -> float:
    """The size cost of a pair (rules in the module docstring)."""
    if not _known(reviewee_size) or not _known(reviewer_size):
        return UNKNOWN_SIZE_COST
    return min(abs(math.log(reviewer_size / reviewee_size)), SIZE_COST_CAP)


def _known(size: float | None) -> bool:
    return size is not None and math.isfinite(size) and size > 0


def is_eligible(
    reviewee: Reviewee,
    reviewer: ReviewerOrganisation,
    excluded: Collection[tuple[str, str]] = (),
) -> bool:
    """Whether ``reviewer`` may review ``reviewee`` (the hard rules; load aside)."""
    return (
        reviewee.care_setting in reviewer.care_settings
        and reviewer.organisation != reviewee.organisation
        and reviewee.ics is not None
        and reviewer.ics is not None
        and reviewer.ics != reviewee.ics
        and (reviewee.key, reviewer.organisation) not in excluded
    )


def _no_peer_reason(reviewee: Reviewee, reviewers: Sequence[ReviewerOrganisation]) -> str:
    same_setting = [
        r
        for r in reviewers
        if reviewee.care_setting in r.care_settings and r.organisation != reviewee.organisation
    ]
    if reviewee.ics is None:
        return (
            "No reviewer could be matched: the organisation's integrated care system is not "
            "known, so a reviewer from another system cannot be guaranteed."
        )
    if not same_setting:
        return (
            "No reviewer could be matched: no other organisation answers this care setting "
            "in the cycle."
        )
    return (
        "No reviewer could be matched: every other organisation answering this care setting "
        "is in the same integrated care system, has no known system, or is excluded."
    )


def match_reviewers(
    reviewees: Sequence[Reviewee],
    reviewers: Sequence[ReviewerOrganisation],
    *,
    max_load: int = DEFAULT_MAX_LOAD,
    existing_load: Mapping[str, int] | None = None,
    excluded: Collection[tuple[str, str]] = (),
    candidates_per_return: int | None = DEFAULT_CANDIDATES,
    time_limit: float = 120.0,
) -> MatchingResult:
    """Match every return with a reviewing organisation (rules in the module docstring).

    ``excluded`` holds (reviewee key, reviewer organisation) pairs that must not be matched.
    """
    if max_load < 1:
        raise MatchingError("max_load must be at least 1")
    if candidates_per_return is not None and candidates_per_return < 1:
        raise MatchingError("candidates_per_return must be at least 1 or None")
    keys = [r.key for r in reviewees]
    if len(set(keys)) != len(keys):
        raise MatchingError("each return must appear once")
    orgs = [r.organisation for r in reviewers]
    if len(set(orgs)) != len(orgs):
        raise MatchingError("each reviewing organisation must appear once")
    existing = dict(existing_load or {})
    excluded_set = set(excluded)
    by_org = {r.organisation: r for r in reviewers}
    capacity = {o: max_load - existing.get(o, 0) for o in orgs}

    # Eligible candidate edges, pruned to the most similar in size.
    edges: list[tuple[int, str, float]] = []  # (reviewee index, reviewer org, cost)
    no_candidate: dict[int, str] = {}
    for i, reviewee in enumerate(reviewees):
        options = sorted(
            (pair_cost(reviewee.size, reviewer.size), reviewer.organisation)
            for reviewer in reviewers
            if capacity[reviewer.organisation] > 0 and is_eligible(reviewee, reviewer, excluded_set)
        )
        if candidates_per_return is not None:
            options = options[:candidates_per_return]
        if not options:
            no_candidate[i] = _no_peer_reason(reviewee, reviewers)
        edges.extend((i, org, cost) for cost, org in options)

    solution = _solve(reviewees, edges, capacity, time_limit)
    chosen = [edges[e] for e in solution]

    load: dict[str, int] = defaultdict(int, {o: existing.get(o, 0) for o in orgs})
    reviews_of: dict[str, set[str]] = defaultdict(set)  # reviewer org → reviewee orgs
    for i, org, _cost in chosen:
        load[org] += 1
        reviews_of[org].add(reviewees[i].organisation)
    reciprocal_orgs = {
        frozenset((a, b))
        for a, targets in reviews_of.items()
        for b in targets
        if a in reviews_of.get(b, ())
    }

    matched_idx = {i for i, _org, _cost in chosen}
    matches = []
    for i, org, cost in sorted(chosen, key=lambda c: reviewees[c[0]].key):
        reviewee = reviewees[i]
        reviewer = by_org[org]
        reciprocal = frozenset((org, reviewee.organisation)) in reciprocal_orgs
        ratio = (
            reviewer.size / reviewee.size
            if _known(reviewee.size) and _known(reviewer.size)
            else None
        )
        matches.append(
            Match(
                reviewee=reviewee.key,
                reviewer=org,
                cost=cost,
                size_ratio=ratio,
                reciprocal=reciprocal,
                explanation=explain_match(
                    reviewee, reviewer, load=load[org], max_load=max_load, reciprocal=reciprocal
                ),
            )
        )
    unmatched = [
        Unmatched(
            reviewee=reviewees[i].key,
            reason=no_candidate.get(
                i,
                "No reviewer could be matched: every eligible organisation already reviews "
                f"{max_load} returns, the most allowed in a cycle.",
            ),
        )
        for i in range(len(reviewees))
        if i not in matched_idx
    ]
    return MatchingResult(
        matches=tuple(matches),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.reviewee)),
        load=dict(load),
        reciprocal_pairs=len(reciprocal_orgs),
        max_load=max_load,
        details={"candidate_pairs": float(len(edges))},
    )


def _solve(
    reviewees: Sequence[Reviewee],
    edges: Sequence[tuple[int, str, float]],
    capacity: Mapping[str, int],
    time_limit: float,
) -> list[int]:
    """Indices of the chosen edges of the optimal assignment."""
    if not edges:
        return []
    n = len(reviewees)
    # Strict priorities (module docstring): any change to the size costs is below one reciprocal
    # penalty, any change to reciprocal pairs below one unmatched penalty.
    reciprocal_penalty = SIZE_COST_CAP * n + 1.0
    unmatched_penalty = reciprocal_penalty * (n + 1) + SIZE_COST_CAP * n + 1.0

    # Ordered organisation pairs (reviewer, reviewee org) → the edges between them.
    pair_edges: dict[tuple[str, str], list[int]] = defaultdict(list)
    for e, (i, org, _cost) in enumerate(edges):
        pair_edges[(org, reviewees[i].organisation)].append(e)
    two_way = sorted(
        {tuple(sorted(pair)) for pair in pair_edges if (pair[1], pair[0]) in pair_edges}
    )

    n_x = len(edges)
    n_u = n
    # z for each direction of a two-way pair that has more than one edge (else x stands for it).
    z_index: dict[tuple[str, str], int] = {}
    next_var = n_x + n_u
    for a, b in two_way:
        for pair in ((a, b), (b, a)):
            if len(pair_edges[pair]) > 1:
                z_index[pair] = next_var
                next_var += 1
    y_start = next_var
    n_vars = y_start + len(two_way)

    cost = np.zeros(n_vars)
    cost[:n_x] = [c for _i, _o, c in edges]
    cost[n_x : n_x + n_u] = unmatched_penalty
    cost[y_start:] = reciprocal_penalty

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    row = 0

    def add(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        nonlocal row
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        lower.append(lo)
        upper.append(hi)
        row += 1

    by_reviewee: dict[int, list[int]] = defaultdict(list)
    by_reviewer: dict[str, list[int]] = defaultdict(list)
    for e, (i, org, _cost) in enumerate(edges):
        by_reviewee[i].append(e)
        by_reviewer[org].append(e)
    for i in range(n):
        add([(e, 1.0) for e in by_reviewee[i]] + [(n_x + i, 1.0)], 1.0, 1.0)
    for org, es in sorted(by_reviewer.items()):
        add([(e, 1.0) for e in es], 0.0, float(capacity[org]))

    def direction(pair: tuple[str, str]) -> int:
        return z_index[pair] if pair in z_index else pair_edges[pair][0]

    for pair, z in z_index.items():
        for e in pair_edges[pair]:
            add([(e, 1.0), (z, -1.0)], -np.inf, 0.0)
    for k, (a, b) in enumerate(two_way):
        add([(direction((a, b)), 1.0), (direction((b, a)), 1.0), (y_start + k, -1.0)], -np.inf, 1.0)

    matrix = coo_array((vals, (rows, cols)), shape=(row, n_vars)).tocsr()
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(n_vars),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
    )
    if result.x is None:
        raise MatchingError(f"the matching problem could not be solved: {result.message}")
    return [e for e in range(n_x) if result.x[e] > 0.5]


def _people(size: float) -> str:
    return f"{round(size):,}"


def explain_match(
    reviewee: Reviewee,
    reviewer: ReviewerOrganisation,
    *,
    load: int,
    max_load: int | None,
    reciprocal: bool,
) -> str:
    """Why this peer: care setting, size, system, load and reciprocity, in plain English."""
    reviewer_name = reviewer.name or reviewer.organisation
    reviewee_name = reviewee.name or reviewee.organisation
    setting = reviewee.care_setting.replace("_", " ")
    parts = [f"{reviewer_name} also answers the {setting} care setting."]
    if _known(reviewee.size) and _known(reviewer.size):
        ratio = reviewer.size / reviewee.size
        if abs(ratio - 1) < 0.005:
            comparison = "about the same size"
        elif ratio > 1:
            comparison = f"{(ratio - 1) * 100:.0f}% larger"
        else:
            comparison = f"{(1 - ratio) * 100:.0f}% smaller"
        parts.append(
            f"It is {comparison}: {reviewer.size_basis} {_people(reviewer.size)}, against "
            f"{_people(reviewee.size)} ({reviewee.size_basis}) for {reviewee_name}."
        )
    else:
        unknown = reviewee_name if not _known(reviewee.size) else reviewer_name
        parts.append(
            f"The size of {unknown} is not known, so size did not decide the match; "
            "the most similar in size were preferred where sizes are known."
        )
    parts.append(
        f"It is in {reviewer.ics_name or reviewer.ics}, a different integrated care system "
        f"from {reviewee.ics_name or reviewee.ics}."
    )
    limit = f" (at most {max_load})" if max_load is not None else ""
    parts.append(f"It reviews {load} {'return' if load == 1 else 'returns'} in this cycle{limit}.")
    if reciprocal:
        parts.append(
            f"{reviewee_name} also reviews a return of {reviewer_name}: among the candidates "
            "considered, no arrangement matching as many returns avoided this reciprocal pair."
        )
    else:
        parts.append(f"{reviewee_name} does not review {reviewer_name} in this cycle.")
    return " ".join(parts)
