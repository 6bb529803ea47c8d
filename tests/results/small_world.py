"""A few organisations with published rows copied from the real file, and their demo returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from maturity.organisations.models import Organisation, OrganisationKind
from maturity.results.models import PublishedResult
from maturity.results.services import DMA_METHOD, DMA_OVERALL_BASIS, DMA_SOURCE_NOTE

from .factories import make_organisation

BATH_2025 = {
    "well_led": 2.8,
    "smart_foundations": 3.1,
    "safe_practice": 1.8,
    "support_people": 2.5,
    "empower_people": 2.2999999999999998,
    "improve_care": 2.0,
    "healthy_populations": 2.0,
}
BSW_2025 = {
    "well_led": 2.0,
    "smart_foundations": 4.0,
    "safe_practice": 3.3,
    "support_people": 1.5,
    "empower_people": 2.0,
    "improve_care": 2.8,
    "healthy_populations": 2.6,
}
BSW_PRIMARY_CARE = {
    "well_led": 5.0,
    "smart_foundations": 3.0,
    "support_people": 3.0,
    "empower_people": 5.0,
    "improve_care": 4.0,
}


@dataclass
class SmallWorld:
    bath: Organisation
    bsw: Organisation


def publish(org: Organisation, year: int, care_setting: str, pillars: dict, overall) -> None:
    PublishedResult.objects.create(
        organisation=org,
        year=year,
        care_setting=care_setting,
        pillars=pillars,
        overall=overall,
        overall_basis=DMA_OVERALL_BASIS if overall is not None else "",
        method=DMA_METHOD,
        source_note=DMA_SOURCE_NOTE,
        source_file="digital_maturity_assessment.xlsx",
        publication_version="v2",
        published_on=dt.date(2026, 3, 30),
    )


def build_small_world() -> SmallWorld:
    bath = make_organisation(
        ods_code="RD1", name="ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST"
    )
    bsw = make_organisation(
        ods_code="QOX",
        kind=OrganisationKind.ICB,
        name="NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board",
    )
    publish(bath, 2025, "acute", BATH_2025, 2.3809523809523805)
    publish(bath, 2024, "acute", {}, 2.3214285714285716)
    publish(bsw, 2025, "icb", BSW_2025, 2.7916666666666665)
    publish(bsw, 2024, "icb", {}, 2.6666666666666665)
    publish(bsw, 2025, "primary_care", BSW_PRIMARY_CARE, None)
    return SmallWorld(bath=bath, bsw=bsw)
