"""Results API, mounted at /api/v1/organisations (so routes here start at /{ods_code}/).

Known clients: the project's contract tests (tests/results/test_api.py) and analysts' scripts.
Figures are returned unrounded, exactly as published or computed; round them for display only.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from .selectors import get_organisation_by_ods_code, results_for_organisation

router = Router(tags=["results"])


class ResultOut(Schema):
    cycle: int
    care_setting: Literal[
        "acute",
        "mental_health",
        "community",
        "ambulance",
        "icb",
        "primary_care",
        "adult_social_care",
    ]
    source: Literal["published", "demonstration"]
    pillars: dict[str, float] = Field(
        description="Pillar id → score; only the pillars present in the result"
    )
    overall: float | None
    overall_basis: str
    method: str
    source_note: str


class ErrorOut(Schema):
    detail: str


@router.get(
    "/{ods_code}/results",
    response={200: list[ResultOut], 404: ErrorOut},
    summary="Digital maturity results of an organisation",
    description=(
        "Published NHS England results and demonstration returns' scores, newest year first. "
        "`pillars` is keyed by pillar id (well_led, smart_foundations, safe_practice, "
        "support_people, empower_people, improve_care, healthy_populations) and holds only "
        "the pillars present. Figures are unrounded."
    ),
)
def organisation_results(request, ods_code: str):
    organisation = get_organisation_by_ods_code(ods_code)
    if organisation is None:
        raise HttpError(404, f"No organisation with ODS code {ods_code.upper()!r}.")
    return [
        {
            "cycle": row.year,
            "care_setting": row.care_setting,
            "source": row.source,
            "pillars": row.pillars,
            "overall": row.overall,
            "overall_basis": row.overall_basis,
            "method": row.method,
            "source_note": row.source_note,
        }
        for row in results_for_organisation(organisation)
    ]
