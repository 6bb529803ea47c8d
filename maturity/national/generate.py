"""The national data set: every real trust, ICB and GP practice, synthetic adult social care
providers, and five cycles of returns answered criterion by criterion.

How answers are drawn (all with NumPy, deterministic for a seed)
    Each organisation has a latent maturity on the 1-5 level scale:
    ``base(care setting) + region effect − 0.18 × deprivation (z-score of its deprivation fact,
    its ICB's for a provider with none) + investment`` where the investment-history factor is
    drawn once per organisation and also speeds its year-on-year drift
    (``0.12 + 0.10 × investment`` levels a year), plus noise for each year. A criterion at level
    ℓ is met with probability ``sigmoid(2.6 × (maturity + 0.9 − ℓ) + difficulty)``, the
    criterion's difficulty drawn from its id; 3% of criteria above level 1 are not applicable.
    About 2% of committed returns are inflated (maturity raised by 0.8-1.6 levels): they are
    listed in :class:`~maturity.national.models.InflatedReturn`, never on the return itself.
    Published cycles (2022-2025) are 97% committed; the open 2026 cycle is 70% committed, 20% in
    progress (about 60% answered) and 10% not started.

What is not generated: answer revision history, status-change history and contextual answers
(the national rescore and benchmarks need none of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from maturity.core.scoring import SCORING_VERSION, WGLL_METHOD
from maturity.core.scoring.rounding import HALF_UP_1DP
from maturity.core.vocab import CareSetting
from maturity.organisations.models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationFact,
    OrganisationKind,
    Relationship,
)

from . import bulk, vector

SYNTHETIC_PREFIX = "SYN-ASC-"
SYNTHETIC_SOURCE = "maturity generate national (synthetic)"
GENERATOR_USERNAME = "national-generator"

#: Cycle year → framework edition. 2022 and 2023 predate the 2024 edition: they are scored on it.
CYCLE_EDITIONS = {
    2022: "wgll-2024",
    2023: "wgll-2024",
    2024: "wgll-2024",
    2025: "wgll-2025",
    2026: "wgll-2026-draft",
}
OPEN_YEAR = 2026

BASE_MATURITY = {
    CareSetting.ACUTE.value: 2.6,
    CareSetting.MENTAL_HEALTH.value: 2.4,
    CareSetting.COMMUNITY.value: 2.3,
    CareSetting.AMBULANCE.value: 2.5,
    CareSetting.ICB.value: 2.5,
    CareSetting.PRIMARY_CARE.value: 2.2,
    CareSetting.ADULT_SOCIAL_CARE.value: 1.8,
}
DEPRIVATION_FACTS = {
    OrganisationKind.TRUST: "catchment_imd_2025_score",
    OrganisationKind.ICB: "imd_2019_score_list_weighted",
    OrganisationKind.GP_PRACTICE: "imd_2019_score",
}
SIZES: dict[str, dict[str, int | None]] = {
    # None: every one in the registry.
    "national": {"trusts": None, "icbs": None, "practices": None, "asc_real": None},
    "small": {"trusts": 6, "icbs": 3, "practices": 12, "asc_real": 0},
}


class GenerationError(Exception):
    """The data set cannot be generated (missing edition, cycles already present…)."""


@dataclass
class GenerateSummary:
    seed: int
    organisations: int = 0
    synthetic_created: int = 0
    cycles: list[int] = field(default_factory=list)
    returns: int = 0
    answers: int = 0
    scores: int = 0
    inflated: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Org:
    pk: int
    ods_code: str
    kind: str
    settings: tuple[str, ...]
    opened_on: dt.date | None
    closed_on: dt.date | None
    icb_id: int | None

    def open_on(self, on: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= on) and (
            self.closed_on is None or self.closed_on > on
        )


def scope_date(year: int) -> dt.date:
    """The day an organisation must be open on to answer a year's cycle (ICBs began 2022-07-01)."""
    return dt.date(year, 9, 30)


def stable_unit(*parts: object) -> float:
    """A number in [0, 1) from the parts alone (not Python's salted hash): criterion difficulty."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _ts(value: dt.datetime) -> str:
    # COPY takes an offset; Django's SQLite backend stores naive UTC text.
    value = value.astimezone(dt.UTC)
    if bulk.is_postgres():
        return value.isoformat(sep=" ")
    return value.replace(tzinfo=None).isoformat(sep=" ")


def _generator_user() -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=GENERATOR_USERNAME,
        defaults={"is_active": False, "first_name": "National", "last_name": "generator"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _icbs_of(orgs: list[Organisation]) -> dict[int, int]:
    """Each organisation's ICB: direct link (trust), via a sub-ICB (practice) or itself."""
    on = scope_date(2025)
    ids = [o.pk for o in orgs]
    direct: dict[int, int] = {}
    middle: dict[int, int] = {}
    for child, parent, kind in (
        Relationship.objects.filter(child_id__in=ids)
        .order_by("valid_from", "id")
        .values_list("child_id", "parent_id", "parent__kind")
    ):
        if kind == OrganisationKind.ICB:
            direct[child] = parent
        elif kind in (OrganisationKind.SUB_ICB, OrganisationKind.LOCAL_AUTHORITY):
            middle[child] = parent
    via = dict(
        Relationship.objects.valid_on(on)
        .filter(child_id__in=set(middle.values()), parent__kind=OrganisationKind.ICB)
        .values_list("child_id", "parent_id")
    )
    out = {}
    for org in orgs:
        if org.kind == OrganisationKind.ICB:
            out[org.pk] = org.pk
        elif org.pk in direct:
            out[org.pk] = direct[org.pk]
        elif org.pk in middle and middle[org.pk] in via:
            out[org.pk] = via[middle[org.pk]]
    return out


def _registry_orgs(size: str, practices: int | None, asc_real: int | None) -> list[Organisation]:
    limits = dict(SIZES[size])
    if practices is not None:
        limits["practices"] = practices
    if asc_real is not None:
        limits["asc_real"] = asc_real
    chosen: list[Organisation] = []
    for kind, key in (
        (OrganisationKind.TRUST, "trusts"),
        (OrganisationKind.ICB, "icbs"),
        (OrganisationKind.GP_PRACTICE, "practices"),
        (OrganisationKind.ASC_PROVIDER, "asc_real"),
    ):
        qs = Organisation.objects.filter(kind=kind, synthetic=False).order_by("ods_code")
        limit = limits[key]
        chosen.extend(qs if limit is None else qs[:limit])
    return chosen


def _ensure_registry() -> None:
    kinds = {OrganisationKind.TRUST, OrganisationKind.ICB, OrganisationKind.GP_PRACTICE}
    if not Organisation.objects.filter(kind__in=kinds).exists():
        from maturity.organisations.services import import_reference_data

        import_reference_data()


_ADJECTIVES = (
    "Oak", "Meadow", "River", "Willow", "Beacon", "Harbour", "Heather", "Orchard", "Cedar",
    "Brook", "Elm", "Hillside", "Lark", "Maple", "Primrose", "Rowan", "Summit", "Thistle",
)  # fmt: skip
_NOUNS = ("Care", "Homecare", "Care Home", "Lodge", "House", "Court", "Gardens", "Support")


def _create_synthetic_providers(count: int, icb_ids: list[int], seed: int) -> int:
    """Create the missing ``SYN-ASC-nnnnn`` providers (up to ``count``), each linked to an ICB."""
    existing = set(
        Organisation.objects.filter(ods_code__startswith=SYNTHETIC_PREFIX).values_list(
            "ods_code", flat=True
        )
    )
    codes = [f"{SYNTHETIC_PREFIX}{i:05d}" for i in range(1, count + 1)]
    missing = [c for c in codes if c not in existing]
    if not missing or not icb_ids:
        return 0
    rng = np.random.default_rng([seed, 7])
    icb_pick = rng.integers(0, len(icb_ids), size=len(codes))
    adj = rng.integers(0, len(_ADJECTIVES), size=len(codes))
    noun = rng.integers(0, len(_NOUNS), size=len(codes))
    index = {c: i for i, c in enumerate(codes)}
    orgs = [
        Organisation(
            ods_code=code,
            name=f"{_ADJECTIVES[adj[index[code]]]} {_NOUNS[noun[index[code]]]} "
            f"{code[-5:]} (synthetic)",
            kind=OrganisationKind.ASC_PROVIDER,
            source=SYNTHETIC_SOURCE,
            synthetic=True,
            register_status="SYNTHETIC",
        )
        for code in missing
    ]
    Organisation.objects.bulk_create(orgs, batch_size=2000)
    created = dict(Organisation.objects.filter(ods_code__in=missing).values_list("ods_code", "pk"))
    OrganisationCareSetting.objects.bulk_create(
        [
            OrganisationCareSetting(
                organisation_id=created[c],
                care_setting=CareSetting.ADULT_SOCIAL_CARE.value,
                source=SYNTHETIC_SOURCE,
            )
            for c in missing
        ],
        batch_size=2000,
    )
    Relationship.objects.bulk_create(
        [
            Relationship(
                child_id=created[c],
                parent_id=icb_ids[icb_pick[index[c]]],
                source=SYNTHETIC_SOURCE,
            )
            for c in missing
        ],
        batch_size=2000,
    )
    return len(missing)


def _settings_of(orgs: list[Organisation]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for org_id, setting in OrganisationCareSetting.objects.filter(
        organisation_id__in=[o.pk for o in orgs]
    ).values_list("organisation_id", "care_setting"):
        found.setdefault(org_id, []).append(setting)
    defaults = {
        OrganisationKind.ICB: (CareSetting.ICB.value, CareSetting.PRIMARY_CARE.value),
        OrganisationKind.GP_PRACTICE: (CareSetting.PRIMARY_CARE.value,),
        OrganisationKind.ASC_PROVIDER: (CareSetting.ADULT_SOCIAL_CARE.value,),
    }
    order = [cs.value for cs in CareSetting]
    out = {}
    for org in orgs:
        settings = found.get(org.pk) or list(defaults.get(org.kind, ()))
        if org.kind == OrganisationKind.ICB:
            settings = list(defaults[OrganisationKind.ICB])
        out[org.pk] = tuple(sorted(set(settings), key=order.index))
    return out


def _deprivation_z(orgs: list[_Org]) -> dict[int, float]:
    """Deprivation as a z-score within each organisation kind; a provider takes its ICB's."""
    keys = set(DEPRIVATION_FACTS.values())
    latest: dict[tuple[int, str], float] = {}
    ids = {o.pk for o in orgs} | {o.icb_id for o in orgs if o.icb_id}
    for org_id, key, value in (
        OrganisationFact.objects.filter(organisation_id__in=ids, key__in=keys)
        .order_by("as_of", "id")
        .values_list("organisation_id", "key", "value")
    ):
        if isinstance(value, int | float) and not isinstance(value, bool):
            latest[(org_id, key)] = float(value)
    raw: dict[int, float] = {}
    by_kind: dict[str, list[float]] = {}
    for org in orgs:
        key = DEPRIVATION_FACTS.get(org.kind)
        value = latest.get((org.pk, key)) if key else None
        if value is not None:
            raw[org.pk] = value
            by_kind.setdefault(org.kind, []).append(value)
    stats = {k: (float(np.mean(v)), float(np.std(v)) or 1.0) for k, v in by_kind.items()}
    z: dict[int, float] = {
        pk: (raw[pk] - stats[o.kind][0]) / stats[o.kind][1] for o in orgs if (pk := o.pk) in raw
    }
    icb_key = DEPRIVATION_FACTS[OrganisationKind.ICB]
    icb_stats = stats.get(OrganisationKind.ICB)
    for org in orgs:
        if org.pk in z:
            continue
        icb_value = latest.get((org.icb_id, icb_key)) if org.icb_id else None
        if icb_value is not None and icb_stats:
            z[org.pk] = (icb_value - icb_stats[0]) / icb_stats[1]
        else:
            z[org.pk] = 0.0
    return z


def _regions(icb_ids: set[int]) -> dict[int, int]:
    """Each ICB's region (its latest link wins)."""
    found: dict[int, int] = {}
    for child, parent in (
        Relationship.objects.filter(child_id__in=icb_ids, parent__kind=OrganisationKind.REGION)
        .order_by("valid_from", "id")
        .values_list("child_id", "parent_id")
    ):
        found[child] = parent
    return found


@transaction.atomic
def generate_national(
    *,
    seed: int,
    size: str = "national",
    asc_providers: int = 15_000,
    cycles: int = 5,
    practices: int | None = None,
    asc_real: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> GenerateSummary:
    """Generate the national data set into the current database, all or nothing.

    ``size``: "national" (every organisation in the registry) or "small" (a handful of each
    kind, for tests). ``practices`` and ``asc_real`` cap GP practices and real care providers.
    ``cycles``: how many of the years 2022-2026, counted back from 2026.
    ``progress(task, advance, total)`` is told about every batch written.
    Raises :class:`GenerationError` if a generated cycle of those years already exists.
    """
    from maturity.assessments.models import Cycle, Return, ReturnStatus
    from maturity.assessments.statemachine import CycleState
    from maturity.frameworks.models import FrameworkEdition
    from maturity.frameworks.selectors import get_edition

    from .models import InflatedReturn

    if size not in SIZES:
        raise GenerationError(f"size must be one of {', '.join(SIZES)}")
    if not 1 <= cycles <= len(CYCLE_EDITIONS):
        raise GenerationError(f"cycles must be 1 to {len(CYCLE_EDITIONS)}")
    started = time.perf_counter()
    summary = GenerateSummary(seed=seed)
    years = sorted(CYCLE_EDITIONS)[-cycles:]
    edition_rows = {
        e.edition_id: e
        for e in FrameworkEdition.objects.filter(edition_id__in=set(CYCLE_EDITIONS.values()))
    }
    for year in years:
        if CYCLE_EDITIONS[year] not in edition_rows:
            raise GenerationError(
                f"Framework edition {CYCLE_EDITIONS[year]!r} is not loaded: run "
                "`maturity sync-editions` first."
            )
        if Cycle.objects.filter(
            year=year, edition=edition_rows[CYCLE_EDITIONS[year]], is_demonstration=True
        ).exists():
            raise GenerationError(
                f"A demonstration cycle for {year} ({CYCLE_EDITIONS[year]}) already exists: "
                "generate the national data set into an empty database."
            )

    _ensure_registry()
    registry = _registry_orgs(size, practices, asc_real)
    icb_pks = sorted(o.pk for o in registry if o.kind == OrganisationKind.ICB)
    open_icbs = [
        o.pk for o in registry if o.kind == OrganisationKind.ICB and o.is_open_on(scope_date(2025))
    ] or icb_pks
    synthetic_count = asc_providers if size == "national" else min(asc_providers, 20)
    summary.synthetic_created = _create_synthetic_providers(synthetic_count, open_icbs, seed)
    synthetic = list(
        Organisation.objects.filter(ods_code__startswith=SYNTHETIC_PREFIX).order_by("ods_code")[
            :synthetic_count
        ]
    )
    all_orgs = registry + synthetic
    settings = _settings_of(all_orgs)
    icb_of = _icbs_of(all_orgs)
    orgs = sorted(
        (
            _Org(
                o.pk, o.ods_code, o.kind, settings[o.pk], o.opened_on, o.closed_on, icb_of.get(o.pk)
            )
            for o in all_orgs
            if settings[o.pk]
        ),
        key=lambda o: o.ods_code,
    )
    summary.organisations = len(orgs)

    # Organisation-level factors, in ods-code order so they depend on the seed alone.
    rng = np.random.default_rng([seed, 1])
    investment = dict(zip((o.pk for o in orgs), rng.normal(0.0, 0.35, len(orgs)), strict=True))
    deprivation = _deprivation_z(orgs)
    region_of_icb = _regions({o.icb_id for o in orgs if o.icb_id})
    region_ids = sorted(set(region_of_icb.values()))
    region_rng = np.random.default_rng([seed, 2])
    region_effect = dict(zip(region_ids, region_rng.normal(0.0, 0.2, len(region_ids)), strict=True))

    user = _generator_user()
    now = timezone.now()
    at = _ts(now)
    inflated_rows: list[InflatedReturn] = []

    for year in years:
        edition_id = CYCLE_EDITIONS[year]
        edition = get_edition(edition_id)
        is_open = year == OPEN_YEAR
        on = scope_date(year)
        settings_in_cycle = [cs.value for cs in CareSetting if edition.covers(cs)]
        cycle = Cycle.objects.create(
            year=year,
            edition=edition_rows[edition_id],
            title=f"{year} national synthetic data set ({edition_id})",
            is_demonstration=True,
            status=CycleState.OPEN if is_open else CycleState.PUBLISHED,
            opens_on=dt.date(year, 4, 1),
            closes_on=dt.date(year, 6, 30),
            review_closes_on=dt.date(year, 9, 30),
            provisional_release_on=dt.date(year, 12, 1),
            publication_on=dt.date(year + 1, 3, 30),
            scope_organisation_kinds=sorted({o.kind for o in orgs}),
            scope_care_settings=settings_in_cycle,
        )
        summary.cycles.append(cycle.pk)
        comparable = edition.comparable_domain_ids()
        for s_index, setting in enumerate(settings_in_cycle):
            members = [o for o in orgs if setting in o.settings and o.open_on(on)]
            if not members:
                continue
            specs = edition.scoring_specs(setting)
            layout = vector.layout_for(specs, comparable)
            g = np.random.default_rng([seed, year, s_index, 3])
            n = len(members)
            inv = np.array([investment[o.pk] for o in members])
            dep = np.array([deprivation.get(o.pk, 0.0) for o in members])
            reg = np.array(
                [region_effect.get(region_of_icb.get(o.icb_id or -1, -1), 0.0) for o in members]
            )
            t = year - min(CYCLE_EDITIONS)
            maturity = (
                BASE_MATURITY[setting]
                + reg
                - 0.18 * dep
                + inv
                + (0.12 + 0.10 * inv) * t
                + g.normal(0.0, 0.15, n)
            )
            # Status: committed, in progress (partly answered) or not started.
            draw = g.random(n)
            if is_open:
                status = np.where(draw < 0.70, 2, np.where(draw < 0.90, 1, 0))
            else:
                status = np.where(draw < 0.97, 2, 1)
            inflated = (status == 2) & (g.random(n) < 0.02)
            inflation = np.where(inflated, g.uniform(0.8, 1.6, n), 0.0)
            maturity = maturity + inflation
            difficulty = np.array(
                [(stable_unit(edition_id, c) - 0.5) * 1.2 for c in layout.criteria]
            )
            logits = (
                2.6 * (maturity[:, None] + 0.9 - layout.criterion_level[None, :])
                + difficulty[None, :]
            )
            met = g.random(logits.shape) < 1.0 / (1.0 + np.exp(-logits))
            na = (g.random(logits.shape) < 0.03) & (layout.criterion_level[None, :] > 1)
            codes = np.where(na, vector.NA, np.where(met, vector.MET, vector.NOT_MET)).astype(
                np.uint8
            )
            partly = g.random(logits.shape) < 0.6
            codes[status == 1] = np.where(partly[status == 1], codes[status == 1], vector.MISSING)
            codes[status == 0] = vector.MISSING

            returns = [
                Return(
                    cycle=cycle,
                    organisation_id=o.pk,
                    care_setting=setting,
                    status=(
                        ReturnStatus.COMMITTED
                        if status[i] == 2
                        else ReturnStatus.IN_PROGRESS
                        if status[i] == 1
                        else ReturnStatus.NOT_STARTED
                    ),
                    is_demonstration=True,
                    committed_at=now if status[i] == 2 else None,
                    committed_by=user if status[i] == 2 else None,
                    late=bool(status[i] != 2 and not is_open),
                )
                for i, o in enumerate(members)
            ]
            Return.objects.bulk_create(returns, batch_size=2000)
            return_ids = np.array([r.pk for r in returns], dtype=np.int64)
            summary.returns += n
            if progress:
                progress(f"{year} {setting}", 0, int(np.count_nonzero(codes)))
            summary.answers += write_answers(
                return_ids,
                layout,
                codes,
                at=at,
                on_batch=(lambda k, label=f"{year} {setting}": progress(label, k, 0))
                if progress
                else None,
            )
            committed = status == 2
            levels = vector.domain_levels(layout, codes[committed])
            summary.scores += write_scores(
                return_ids[committed], edition_id, layout, vector.scores(layout, levels), at=at
            )
            inflated_rows.extend(
                InflatedReturn(return_obj_id=int(return_ids[i]), seed=seed, inflation=float(v))
                for i, v in enumerate(inflation)
                if inflated[i]
            )
    InflatedReturn.objects.bulk_create(inflated_rows, batch_size=2000)
    summary.inflated = len(inflated_rows)
    summary.seconds = time.perf_counter() - started
    return summary


ANSWER_COLUMNS = (
    "return_id",
    "item_id",
    "value",
    "version",
    "updated_at",
    "updated_by_id",
    "copied_from_previous",
)


def write_answers(
    return_ids: np.ndarray,
    layout: vector.Layout,
    codes: np.ndarray,
    *,
    at: str,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert one answer per non-missing code (returns × criteria) in bulk."""
    from maturity.assessments.models import Answer

    rows_idx, cols_idx = np.nonzero(codes)
    json_values = {code: f'"{value}"' for code, value in vector.VALUES.items()}
    rid = return_ids[rows_idx].tolist()
    items = [layout.criteria[c] for c in cols_idx.tolist()]
    values = [json_values[c] for c in codes[rows_idx, cols_idx].tolist()]
    rows = ((r, i, v, 1, at, None, False) for r, i, v in zip(rid, items, values, strict=True))
    return bulk.insert_rows(Answer._meta.db_table, ANSWER_COLUMNS, rows, on_batch=on_batch)


SCORE_COLUMNS = (
    "return_id",
    "edition_id",
    "scoring_version",
    "method",
    "rounding",
    "domain_levels",
    "pillar_scores",
    "overall",
    "overall_comparable",
    "computed_at",
)


def score_rows(
    return_ids: np.ndarray, edition_id: str, layout: vector.Layout, scores: vector.Scores, at: str
) -> list[tuple[Any, ...]]:
    """Score rows with the JSON the ORM would store for the engine's ReturnScore."""
    import json

    pillar_ids = layout.pillar_ids
    domain_ids = layout.domain_ids
    levels = scores.levels.tolist()
    pillars = scores.pillar_scores.tolist()
    overall = scores.overall.tolist()
    comparable = scores.overall_comparable.tolist()
    out = []
    for i, return_id in enumerate(return_ids.tolist()):
        out.append(
            (
                return_id,
                edition_id,
                SCORING_VERSION,
                WGLL_METHOD,
                HALF_UP_1DP,
                json.dumps(dict(zip(domain_ids, levels[i], strict=True))),
                json.dumps(dict(zip(pillar_ids, pillars[i], strict=True))),
                None if overall[i] != overall[i] else overall[i],
                None if comparable[i] != comparable[i] else comparable[i],
                at,
            )
        )
    return out


def write_scores(
    return_ids: np.ndarray,
    edition_id: str,
    layout: vector.Layout,
    scores: vector.Scores,
    *,
    at: str,
) -> int:
    from maturity.assessments.models import Score

    rows = score_rows(return_ids, edition_id, layout, scores, at)
    return bulk.insert_rows(Score._meta.db_table, SCORE_COLUMNS, rows)
