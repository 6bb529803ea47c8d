"""Organisation registry API, mounted at /api/v1/organisations.

Known clients: the project's contract tests (tests/organisations/test_api.py) and analysts'
scripts that need an organisation's hierarchy on a date (e.g. which ICB a trust was in when it
returned an assessment). Dates are ISO 8601; ``closed_on`` is the first day closed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from . import selectors
from .models import Organisation, OrganisationKind, Succession

router = Router(tags=["organisations"])

MAX_PAGE_SIZE = 100


class ErrorOut(Schema):
    detail: str


class OrganisationRef(Schema):
    ods_code: str = Field(description="ODS code (CQC location id for adult social care)")
    name: str
    kind: str = Field(description="One of " + ", ".join(OrganisationKind.values))


class SuccessionOut(Schema):
    ods_code: str
    name: str
    kind: str
    effective_on: dt.date = Field(description="First day of the successor")
    succession_kind: str = Field(description="merger, split, acquisition or rename")


class FactOut(Schema):
    key: str
    value: Any
    as_of: dt.date
    source: str


class OrganisationOut(Schema):
    ods_code: str
    name: str
    kind: str
    kind_label: str
    opened_on: dt.date | None
    closed_on: dt.date | None = Field(description="First day no longer open (exclusive)")
    on: dt.date = Field(description="The date the hierarchy is given for")
    open_on_date: bool
    parents: list[OrganisationRef] = Field(description="Nearest first, as on the date")
    icb: OrganisationRef | None = Field(description="Its ICB on the date, if any")
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]
    care_settings: list[str]
    facts: list[FactOut]
    url: str


class OrganisationSummaryOut(Schema):
    ods_code: str
    name: str
    kind: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    url: str


class SearchOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[OrganisationSummaryOut]


def _ref(org: Organisation) -> dict:
    return {"ods_code": org.ods_code, "name": org.name, "kind": org.kind}


def _succession(s: Succession, other: Organisation) -> dict:
    return {**_ref(other), "effective_on": s.effective_on, "succession_kind": s.kind}


def _parse_on(value: str | None) -> dt.date | None:
    if value is None or value == "":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@router.get(
    "/{ods_code}",
    response={200: OrganisationOut, 404: ErrorOut, 422: ErrorOut},
    summary="One organisation, with its hierarchy on a date",
    description="`on` (YYYY-MM-DD, default today) is the date the parents and ICB are given for. "
    "The code is case-insensitive.",
)
def organisation(request: HttpRequest, ods_code: str, on: str | None = None):
    date = _parse_on(on)
    if date is None:
        return Status(422, {"detail": f'on "{on}" is not a date (expected YYYY-MM-DD)'})
    org = selectors.get_organisation(ods_code)
    if org is None:
        return Status(404, {"detail": f'No organisation with the code "{ods_code}"'})
    d = selectors.organisation_detail(org, date, children_limit=0)
    return Status(
        200,
        {
            **_ref(org),
            "kind_label": org.get_kind_display(),
            "opened_on": org.opened_on,
            "closed_on": org.closed_on,
            "on": date,
            "open_on_date": org.is_open_on(date),
            "parents": [_ref(p) for p in d.parents],
            "icb": _ref(d.icb) if d.icb else None,
            "predecessors": [_succession(s, s.predecessor) for s in d.predecessors],
            "successors": [_succession(s, s.successor) for s in d.successors],
            "care_settings": d.care_settings,
            "facts": [
                {"key": f.key, "value": f.value, "as_of": f.as_of, "source": f.source}
                for f in d.facts
            ],
            "url": request.build_absolute_uri(org.get_absolute_url()),
        },
    )


@router.get(
    "",
    response={200: SearchOut, 422: ErrorOut},
    summary="Search organisations",
    description="Name contains `q`, or code starts with it (any case); `kind` filters. "
    f"Paginated: `page` from 1, `page_size` up to {MAX_PAGE_SIZE}.",
)
def search(
    request: HttpRequest,
    q: str = "",
    kind: str | None = None,
    page: int = 1,
    page_size: int = 25,
):
    if kind and kind not in OrganisationKind.values:
        return Status(
            422, {"detail": f'kind "{kind}" is not one of {", ".join(OrganisationKind.values)}'}
        )
    if page < 1:
        return Status(422, {"detail": "page must be 1 or more"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        return Status(422, {"detail": f"page_size must be between 1 and {MAX_PAGE_SIZE}"})
    results = selectors.search_organisations(q, kind or None)
    count = results.count()
    start = (page - 1) * page_size
    items = [
        {
            **_ref(o),
            "opened_on": o.opened_on,
            "closed_on": o.closed_on,
            "url": request.build_absolute_uri(o.get_absolute_url()),
        }
        for o in results[start : start + page_size]
    ]
    return Status(
        200,
        {
            "count": count,
            "page": page,
            "page_size": page_size,
            "pages": max(1, math.ceil(count / page_size)),
            "items": items,
        },
    )
