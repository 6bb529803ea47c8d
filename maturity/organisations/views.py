"""Organisation pages: search, and one organisation with its hierarchy on any date."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from maturity.results.selectors import results_for_organisation

from . import presenters, selectors
from .models import OrganisationKind

PAGE_SIZE = 25


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    errors = []
    if kind and kind not in OrganisationKind.values:
        errors.append(f'"{kind}" is not a kind of organisation; showing every kind.')
        kind = ""
    page = None
    if query or kind:
        results = selectors.search_organisations(query, kind or None)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("q", query), ("kind", kind)) if v}
    return render(
        request,
        "organisations/search.jinja",
        {
            "query": query,
            "kind": kind,
            "kinds": OrganisationKind.choices,
            "page": page,
            "errors": errors,
            "page_url": lambda n: "?" + urlencode({**params, "page": n}),
            "today": dt.date.today(),
            "status_on": presenters.status_on,
        },
    )


@require_safe
def detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = selectors.get_organisation(ods_code)
    if organisation is None:
        raise Http404(f"No organisation with the code {ods_code}")
    if ods_code != organisation.ods_code:
        url = organisation.get_absolute_url()
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    today = dt.date.today()
    on, error = presenters.default_date(organisation, today), ""
    raw_on = request.GET.get("on", "").strip()
    if raw_on:
        try:
            on = dt.date.fromisoformat(raw_on)
        except ValueError:
            error = f'"{raw_on[:20]}" is not a date. Enter a date like 2026-04-01.'
    context = {
        "d": selectors.organisation_detail(organisation, on),
        "results": results_for_organisation(organisation),
        "on_error": error,
        "raw_on": raw_on,
        "today": today,
        "status": presenters.status_on(organisation, on),
        "last_day_open": presenters.last_day_open(organisation),
        "fact_label": presenters.fact_label,
        "fact_value": presenters.fact_value,
        "care_setting_label": presenters.care_setting_label,
        "kind_plural": presenters.kind_plural,
    }
    return render(request, "organisations/detail.jinja", context, status=400 if error else 200)
