"""A London-sized world for benchmark tests, built from NHS England's real published figures.

London's 45 provider rows and 5 ICBs are copied from the derived CSVs in
data/reference/digital_maturity (each row already matched to its ODS code), with the region, the
nation and the real 2026 merger of North Central London (QMJ) and North West London (QRV) ICBs
into NHS West and North London ICB (Z9B2Z) on 1 April 2026. Populations and deprivation scores
are made up (deterministic), since the tests only need them to be present.
"""

from __future__ import annotations

import csv
import datetime as dt
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
    Succession,
    SuccessionKind,
)
from maturity.results.models import PublishedResult
from maturity.results.services import DMA_METHOD, DMA_OVERALL_BASIS, DMA_SOURCE_NOTE

ROOT = Path(__file__).resolve().parents[2]
DMA = ROOT / "data" / "reference" / "digital_maturity"
MERGER = dt.date(2026, 4, 1)
#: The day the tests read "today's boundaries" on (after the merger), so results never depend
#: on the machine's clock.
TODAY = dt.date(2026, 6, 1)
REGION_NAME = "LONDON"
MERGED = ("QMJ", "QRV")
NEW_ICB = ("Z9B2Z", "NHS West and North London Integrated Care Board")

SECONDARY_PILLARS = {
    "Well Led": "well_led",
    "Ensure Smart Foundations": "smart_foundations",
    "Safe Practice": "safe_practice",
    "Support Workforce": "support_people",
    "Empower People": "empower_people",
    "Improve Care": "improve_care",
    "Healthy Populations": "healthy_populations",
}
PRIMARY_PILLARS = {
    "Well Led": "well_led",
    "Ensuring Smart Foundations": "smart_foundations",
    "Support People": "support_people",
    "Empower People": "empower_people",
    "Improve care": "improve_care",
}
SETTINGS = {
    "Acute": "acute",
    "Community": "community",
    "Mental Health": "mental_health",
    "Ambulance": "ambulance",
}


def read(name: str) -> list[dict[str, str]]:
    with (DMA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _stable(code: str, low: int, high: int) -> int:
    return low + zlib.crc32(code.encode()) % (high - low)


@dataclass
class World:
    region: Organisation
    nation: Organisation
    icbs: dict[str, Organisation]
    trusts: dict[str, Organisation]
    new_icb: Organisation
    #: (ODS code, care setting) → the published 2025 pillars and overall, and 2024 overall.
    rows_2025: dict[tuple[str, str], dict] = field(default_factory=dict)
    rows_2024: dict[tuple[str, str], float] = field(default_factory=dict)
    trust_icb: dict[str, str] = field(default_factory=dict)


def _publish(
    org: Organisation, year: int, setting: str, pillars: dict, overall: float | None
) -> None:
    PublishedResult.objects.create(
        organisation=org,
        year=year,
        care_setting=setting,
        pillars=pillars,
        overall=overall,
        overall_basis=DMA_OVERALL_BASIS if overall is not None else "",
        method=DMA_METHOD,
        source_note=DMA_SOURCE_NOTE,
        source_file="digital_maturity_assessment.xlsx",
        publication_version="v2",
        published_on=dt.date(2026, 3, 30),
    )


def build_world() -> World:
    nation = Organisation.objects.create(
        ods_code="E92000001", name="England", kind=OrganisationKind.NATION, source="test"
    )
    region = Organisation.objects.create(
        ods_code="Y56", name="London", kind=OrganisationKind.REGION, source="test"
    )
    Relationship.objects.create(child=region, parent=nation, source="test")
    icb_rows = [r for r in read("dma_2025_icb_pillar_scores.csv") if r["Region"] == REGION_NAME]
    icbs: dict[str, Organisation] = {}
    names: dict[str, str] = {}
    for row in icb_rows:
        code = row["ICB ODS code (matched)"]
        closed = MERGER if code in MERGED else None
        icbs[code] = Organisation.objects.create(
            ods_code=code,
            name=row["ICS"].title().replace("Nhs", "NHS"),
            kind=OrganisationKind.ICB,
            opened_on=dt.date(2022, 7, 1),
            closed_on=closed,
            source="test",
        )
        names[row["ICS"]] = code
        Relationship.objects.create(
            child=icbs[code],
            parent=region,
            valid_from=dt.date(2022, 7, 1),
            valid_to=closed,
            source="test",
        )
        OrganisationFact.objects.create(
            organisation=icbs[code],
            key="population",
            value=_stable(code, 1_000_000, 3_000_000),
            as_of=dt.date(2022, 6, 30),
            source="test",
        )
    new_icb = Organisation.objects.create(
        ods_code=NEW_ICB[0],
        name=NEW_ICB[1],
        kind=OrganisationKind.ICB,
        opened_on=MERGER,
        source="test",
    )
    Relationship.objects.create(child=new_icb, parent=region, valid_from=MERGER, source="test")
    for code in MERGED:
        Succession.objects.create(
            predecessor=icbs[code],
            successor=new_icb,
            effective_on=MERGER,
            kind=SuccessionKind.MERGER,
            source="test",
        )
    world = World(region, nation, icbs, {}, new_icb)

    overall = {
        (r["ODS code (matched)"], SETTINGS[r["Care Setting"]]): r
        for r in read("dma_2024_vs_2025_secondary_care_overall.csv")
    }
    for row in read("dma_2025_secondary_care_pillar_scores.csv"):
        if row["Region"] != REGION_NAME:
            continue
        code, setting = row["ODS code (matched)"], SETTINGS[row["Care Setting"]]
        trust = world.trusts.get(code)
        if trust is None:
            trust = Organisation.objects.create(
                ods_code=code, name=row["Provider"], kind=OrganisationKind.TRUST, source="test"
            )
            world.trusts[code] = trust
            icb_code = names[row["ICS"]]
            world.trust_icb[code] = icb_code
            moves = icb_code in MERGED
            Relationship.objects.create(
                child=trust,
                parent=icbs[icb_code],
                valid_from=dt.date(2022, 7, 1),
                valid_to=MERGER if moves else None,
                source="test",
            )
            if moves:
                Relationship.objects.create(
                    child=trust, parent=new_icb, valid_from=MERGER, source="test"
                )
            OrganisationFact.objects.create(
                organisation=trust,
                key="catchment_population",
                value=_stable(code, 150_000, 900_000),
                as_of=dt.date(2025, 1, 1),
                source="test",
            )
            OrganisationFact.objects.create(
                organisation=trust,
                key="catchment_imd_2025_score",
                value=_stable(code + "imd", 100, 400) / 10,
                as_of=dt.date(2025, 1, 1),
                source="test",
            )
        pillars = {p: float(row[c]) for c, p in SECONDARY_PILLARS.items()}
        both = overall[(code, setting)]
        o2025, o2024 = _number(both["2025 Average"]), _number(both["2024 Average"])
        _publish(trust, 2025, setting, pillars, o2025)
        world.rows_2025[(code, setting)] = {**pillars, "overall": o2025}
        if o2024 is not None:
            _publish(trust, 2024, setting, {}, o2024)
            world.rows_2024[(code, setting)] = o2024

    icb_overall = {r["ICB ODS code (matched)"]: r for r in read("dma_2024_vs_2025_icb_overall.csv")}
    for row in icb_rows:
        code = row["ICB ODS code (matched)"]
        pillars = {p: float(row[c]) for c, p in SECONDARY_PILLARS.items()}
        o2025 = _number(icb_overall[code]["2025 Average"])
        o2024 = _number(icb_overall[code]["2024 Average"])
        _publish(icbs[code], 2025, "icb", pillars, o2025)
        world.rows_2025[(code, "icb")] = {**pillars, "overall": o2025}
        if o2024 is not None:
            _publish(icbs[code], 2024, "icb", {}, o2024)
            world.rows_2024[(code, "icb")] = o2024
    for row in read("dma_2025_icb_primary_care_pillar_scores.csv"):
        code = row["ICB ODS code (matched)"]
        if code not in icbs:
            continue
        pillars = {p: float(row[c]) for c, p in PRIMARY_PILLARS.items() if row[c].strip()}
        _publish(icbs[code], 2025, "primary_care", pillars, None)
        world.rows_2025[(code, "primary_care")] = dict(pillars)
    return world


def remove_world() -> None:
    from maturity.assessments.models import Answer, Cycle, Return, Score
    from maturity.benchmarks.models import SnapshotBuild
    from maturity.frameworks.models import FrameworkEdition

    SnapshotBuild.objects.all().delete()
    for model in (Score, Answer, Return, Cycle, PublishedResult, FrameworkEdition):
        model.objects.all().delete()
    for model in (OrganisationFact, Succession, Relationship, Organisation):
        model.objects.all().delete()
