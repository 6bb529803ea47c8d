"""Exports of a return (CSV, PDF, FHIR QuestionnaireResponse), the public FHIR Questionnaire of an
edition, and the page importing answers from a file.

A return is loaded through the signed-in user's visibility: another organisation's return is a
404, never a 403. Importing is for the people who may edit the return (403 for the others).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from maturity.core.vocab import CareSetting
from maturity.frameworks.selectors import EditionNotFound, get_edition

from ..models import Return
from ..selectors import accepts_answers, get_return_for, is_editor
from ..views._common import signed_in  # sign-in redirect and the assessments 403 page
from . import exports, fhir
from .answer_rows import MAX_BYTES
from .forms import ImportForm
from .items import NotAnsweredByLevels
from .services import LOCKED_MESSAGE, answers_import_upload

FHIR_JSON = "application/fhir+json; charset=utf-8"


def _file_name(return_: Return, extension: str) -> str:
    ods = "".join(ch for ch in return_.organisation.ods_code if ch.isalnum())
    return f"{ods}-{return_.care_setting}-{return_.cycle.year}-return.{extension}"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _load(request: HttpRequest, pk: int) -> Return:
    return_ = get_return_for(request.user, pk)
    return Return.objects.select_related("organisation", "cycle__edition").get(pk=return_.pk)


@require_safe
@signed_in
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = _load(request, pk)
    return _download(
        exports.return_csv(return_), "text/csv; charset=utf-8", _file_name(return_, "csv")
    )


@require_safe
@signed_in
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = _load(request, pk)
    return _download(exports.return_pdf(return_), "application/pdf", _file_name(return_, "pdf"))


@require_safe
@signed_in
def questionnaire_response(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = _load(request, pk)
    body = fhir.return_to_questionnaire_response(return_, base_url=fhir.canonical_base(request))
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=FHIR_JSON)
    response["Content-Disposition"] = (
        f'inline; filename="{_file_name(return_, "questionnaire-response.json")}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def questionnaire(request: HttpRequest, edition_id: str, care_setting: str) -> HttpResponse:
    """Public: an edition's questions for one care setting as a FHIR Questionnaire."""
    try:
        edition = get_edition(edition_id)
        setting = CareSetting(care_setting)
    except (EditionNotFound, ValueError):
        raise Http404("No such edition or care setting") from None
    if not edition.covers(setting):
        raise Http404(f"{edition_id} is not answered by {setting.label.lower()} organisations")
    try:
        body = fhir.edition_to_questionnaire(
            edition, setting, base_url=fhir.canonical_base(request)
        )
    except NotAnsweredByLevels:
        raise Http404(f"{edition_id} has no levels to publish as a questionnaire") from None
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=FHIR_JSON)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def import_answers(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = _load(request, pk)
    if not is_editor(request.user, return_.organisation_id):
        raise PermissionDenied(
            "Only the organisation's contributors and submitters can import answers."
        )
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    problems: list[str] = []
    status = 200
    open_for_changes = accepts_answers(return_)
    if request.method == "POST" and not open_for_changes:
        problems, status = [LOCKED_MESSAGE], 409
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["answers_file"]
        data = upload.read(MAX_BYTES + 1)
        try:
            result = answers_import_upload(
                by=request.user,
                return_=return_,
                data=data,
                filename=upload.name or "",
                base_url=fhir.canonical_base(request),
            )
        except fhir.ImportRefused as refusal:
            problems = refusal.problems
            status = 400
        else:
            messages.success(request, _summary(result))
            return redirect(reverse("interop:import", args=[return_.pk]))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "assessments/interop/import.jinja",
        {
            "r": return_,
            "form": form,
            "problems": problems,
            "setting_label": CareSetting(return_.care_setting).label,
            "max_mb": MAX_BYTES // (1024 * 1024),
            "open_for_changes": open_for_changes,
        },
        status=status,
    )


def _summary(result: Any) -> str:
    source = {"CSV": "CSV file", "Excel": "Excel workbook"}.get(result.source, result.source)
    words = [f"{result.saved} answer{'s' if result.saved != 1 else ''} saved from the {source}"]
    if result.unchanged:
        words.append(f"{result.unchanged} already as in the file")
    if result.skipped:
        words.append(f"{result.skipped} rows without a value skipped")
    return "Import complete: " + ", ".join(words) + "."
