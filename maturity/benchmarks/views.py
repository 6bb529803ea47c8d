"""Public dashboards, lenses, releases and the methods page.

Views are thin: find the organisation or release, check who may see it, build the page from
snapshots (:mod:`.presenters`) and render it, or give one of its tables as CSV
(``?format=csv&table=<id>``, with the page's filters).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from maturity.accounts.permissions import is_national_analyst
from maturity.organisations.models import OrganisationKind

from . import definitions as d
from . import methods as methods_page
from . import opendata, presenters, selectors, services
from .tables import Table


def _csv_or_page(
    request: HttpRequest, template: str, context: dict, tables: list[Table], stem: str
) -> HttpResponse:
    if request.GET.get("format") == "csv":
        wanted = request.GET.get("table", "")
        table = next((t for t in tables if t.id == wanted), None)
        if table is None:
            raise Http404(f"This page has no table {wanted!r}.")
        response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}-{table.id}.csv"'
        return response
    return render(request, template, context)


def _stem(page) -> str:
    filters = page.filters
    return f"{filters.source}-{filters.year}"


@require_safe
def national(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.catalogue_for(request.user)
    page = presenters.national_page(catalogue, request.GET.dict())
    context = {"page": page, "lenses": d.LENSES}
    return _csv_or_page(
        request, "benchmarks/national.jinja", context, page.tables(), f"national-{_stem(page)}"
    )


@require_safe
def lens(request: HttpRequest, slug: str) -> HttpResponse:
    found = d.LENSES_BY_SLUG.get(slug)
    if found is None:
        raise Http404("No such lens.")
    catalogue = selectors.catalogue_for(request.user)
    page = presenters.lens_page(found, catalogue, request.GET.dict())
    context = {"page": page, "lenses": d.LENSES}
    return _csv_or_page(
        request, "benchmarks/lens.jinja", context, page.tables(), f"{slug}-{_stem(page)}"
    )


@require_safe
def organisation(request: HttpRequest, ods_code: str) -> HttpResponse:
    found = selectors.get_organisation(ods_code)
    if found is None:
        raise Http404("No organisation with that ODS code.")
    catalogue = selectors.catalogue_for(request.user)
    page = presenters.organisation_page(found, catalogue, request.GET.dict())
    return _csv_or_page(
        request,
        "benchmarks/organisation.jinja",
        {"page": page},
        page.tables(),
        f"{found.ods_code}-{_stem(page)}",
    )


def _area(request: HttpRequest, ods_code: str, kind: str) -> HttpResponse:
    found = selectors.get_organisation(ods_code)
    if found is None or found.kind != kind:
        raise Http404("No such area.")
    catalogue = selectors.catalogue_for(request.user)
    page = presenters.area_page(found, catalogue, request.GET.dict())
    return _csv_or_page(
        request,
        "benchmarks/area.jinja",
        {"page": page},
        page.tables(),
        f"{found.ods_code}-{_stem(page)}",
    )


@require_safe
def icb(request: HttpRequest, ods_code: str) -> HttpResponse:
    return _area(request, ods_code, OrganisationKind.ICB)


@require_safe
def region(request: HttpRequest, ods_code: str) -> HttpResponse:
    return _area(request, ods_code, OrganisationKind.REGION)


# --- Releases and methods ------------------------------------------------------------------------


@require_safe
def releases(request: HttpRequest) -> HttpResponse:
    found = selectors.releases_visible_to(request.user)
    return render(
        request,
        "benchmarks/releases.jinja",
        {"releases": found, "can_publish": is_national_analyst(request.user)},
    )


def _visible_release(request: HttpRequest, dataset: str, version: int):
    release = selectors.get_release(dataset, version)
    if release is None or not selectors.can_see_release(request.user, release):
        raise Http404("No such release.")
    return release


@require_safe
def release(request: HttpRequest, dataset: str, version: int) -> HttpResponse:
    found = _visible_release(request, dataset, version)
    can_download = selectors.can_download_release(request.user, found)
    own_rows: list[dict[str, str]] = []
    if not can_download:
        # Right of reply: a member sees their own organisations' rows of a provisional release.
        codes = selectors.member_organisation_codes(request.user)
        results = selectors.release_file(found, "results.csv")
        own_rows = opendata.rows_for(bytes(results.content), codes) if results else []
    return render(
        request,
        "benchmarks/release.jinja",
        {
            "release": found,
            "files": selectors.release_files(found) if can_download else [],
            "history": [
                r
                for r in selectors.release_history(found)
                if selectors.can_see_release(request.user, r)
            ],
            "own_rows": own_rows,
            "can_download": can_download,
            "tables": opendata.TABLES,
        },
    )


@require_safe
def release_file(request: HttpRequest, dataset: str, version: int, name: str) -> HttpResponse:
    found = _visible_release(request, dataset, version)
    if not selectors.can_download_release(request.user, found):
        raise Http404("The files of a provisional release are not published.")
    file = selectors.release_file(found, name)
    if file is None:
        raise Http404("No such file in this release.")
    response = HttpResponse(bytes(file.content), content_type=file.media_type)
    disposition = "inline" if name.endswith(".json") else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{found.dataset}-v{found.version}-{name}"'
    )
    response["X-Content-SHA256"] = file.sha256
    return response


@require_safe
def release_methods(request: HttpRequest, dataset: str, version: int) -> HttpResponse:
    found = _visible_release(request, dataset, version)
    return render(
        request,
        "benchmarks/methods.jinja",
        {"sections": methods_page.sections_from(found.methods), "release": found},
    )


@require_safe
def methods(request: HttpRequest) -> HttpResponse:
    return render(
        request, "benchmarks/methods.jinja", {"sections": methods_page.sections(), "release": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    if not is_national_analyst(request.user):
        raise PermissionDenied("Only national analysts publish releases.")
    catalogue = selectors.catalogue_for(request.user)
    options = [(b.dataset, presenters.DatasetInfo.of(b).label) for b in catalogue.builds]
    errors: dict[str, str] = {}
    values = {"dataset": "", "stage": "", "note": ""}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        if values["dataset"] not in {value for value, _ in options}:
            errors["dataset"] = "Choose the data set to publish."
        if values["stage"] not in {"provisional", "final"}:
            errors["stage"] = "Choose provisional or final."
        if not errors:
            source, _, year = values["dataset"].rpartition("-")
            try:
                created = services.publish_release(
                    by=request.user,
                    source=source,
                    year=int(year),
                    stage=values["stage"],
                    note=values["note"],
                )
            except services.ReleaseError as exc:
                errors[exc.field] = str(exc)
            else:
                return redirect("benchmarks:release", created.dataset, created.version)
    return render(
        request,
        "benchmarks/publish.jinja",
        {"options": options, "errors": errors, "values": values},
        status=400 if errors else 200,
    )
