"""Framework editions API, mounted at /api/v1/frameworks.

Known clients: the project's contract tests (tests/frameworks/test_api.py) and analysts' scripts
that need an edition's structure (criterion ids, care settings, comparability) to read results.
"""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from maturity.core.framework import Edition, EditionDiff

from . import selectors

router = Router(tags=["frameworks"])


class EditionSummaryOut(Schema):
    edition_id: str
    framework: str
    framework_name: str
    year: int
    title: str
    status: str
    scoring_model: str
    illustrative: bool
    previous_edition: str | None
    sha256: str = Field(description="Digest of the edition's source files")
    loaded_at: dt.datetime


class ErrorOut(Schema):
    detail: str


class DiffQuery(Schema):
    from_edition: str = Field(alias="from", description="The earlier edition's id")
    to_edition: str = Field(alias="to", description="The later edition's id")


@router.get(
    "/editions",
    response=list[EditionSummaryOut],
    summary="Framework editions",
    description="Every loaded edition, by framework, newest first.",
)
def editions(request):
    return [
        {
            "edition_id": row.edition_id,
            "framework": row.framework,
            "framework_name": row.framework_name,
            "year": row.year,
            "title": row.title,
            "status": row.status,
            "scoring_model": row.scoring_model,
            "illustrative": row.illustrative,
            "previous_edition": row.previous_edition_id or None,
            "sha256": row.sha256,
            "loaded_at": row.loaded_at,
        }
        for row in selectors.list_editions()
    ]


@router.get(
    "/editions/{edition_id}",
    response={200: Edition, 404: ErrorOut},
    summary="A framework edition, fully resolved",
    description=(
        "Pillars, domains with their levels and criteria, contextual questions and, for other "
        "scoring models, their stages, indicators, statements or lookup tables. An edition "
        "declared as changes to another is returned resolved."
    ),
)
def edition(request, edition_id: str):
    try:
        return selectors.get_edition(edition_id)
    except selectors.EditionNotFound as error:
        raise HttpError(404, str(error)) from None


@router.get(
    "/diff",
    response={200: EditionDiff, 404: ErrorOut},
    summary="What changed between two editions",
    description=(
        "Domains added, removed, changed (with criterion-level changes) and unchanged, and "
        "contextual questions added, removed and changed. Use ?from=<edition>&to=<edition>."
    ),
)
def diff(request, query: Query[DiffQuery]):
    try:
        return selectors.edition_diff(query.from_edition, query.to_edition)
    except selectors.EditionNotFound as error:
        raise HttpError(404, str(error)) from None
