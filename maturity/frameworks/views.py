"""Public pages describing the framework editions (no sign-in needed)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from maturity.core.framework import Edition, ScoringModel
from maturity.core.scoring import CQC_BANDS
from maturity.core.vocab import CareSetting

from . import presenters, selectors


def _edition_or_404(edition_id: str) -> Edition:
    try:
        return selectors.get_edition(edition_id)
    except selectors.EditionNotFound:
        raise Http404(f"No framework edition {edition_id}") from None


def _previous(edition: Edition) -> Edition | None:
    if edition.previous_edition is None:
        return None
    try:
        return selectors.get_edition(edition.previous_edition)
    except selectors.EditionNotFound:
        return None


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    editions = selectors.list_editions()
    return render(
        request,
        "frameworks/index.jinja",
        {
            "frameworks": [e for e in editions if not e.illustrative],
            "illustrations": [e for e in editions if e.illustrative],
            "diff_pair": selectors.default_diff_pair(),
        },
    )


@require_safe
def edition_detail(request: HttpRequest, edition_id: str) -> HttpResponse:
    edition = _edition_or_404(edition_id)
    care_setting, filter_error = presenters.parse_care_setting(request.GET.get("care_setting"))
    previous = _previous(edition)
    context = {
        "edition": edition,
        "previous": previous,
        "care_setting": care_setting,
        "filter_error": filter_error,
        "settings": edition.care_settings_covered(),
        "labels": presenters.care_setting_labels,
        "model": ScoringModel,
    }
    if edition.scoring_model == ScoringModel.CUMULATIVE_LEVELS:
        context["sections"] = selectors.pillar_sections(edition, care_setting)
        context["domain_count"] = len(
            edition.domains if care_setting is None else edition.domains_for(care_setting)
        )
    if edition.scoring_model == ScoringModel.STAGE:
        context["capability_text"] = {c.id: c.text for c in edition.capabilities}
    if edition.scoring_model == ScoringModel.CQC_BANDS:
        context["cqc_bands"] = CQC_BANDS
    return render(request, "frameworks/edition.jinja", context)


@require_safe
def domain_detail(request: HttpRequest, edition_id: str, domain_id: str) -> HttpResponse:
    edition = _edition_or_404(edition_id)
    try:
        domain = edition.domain(domain_id)
    except KeyError:
        raise Http404(f"No domain {domain_id} in {edition_id}") from None
    previous = _previous(edition)
    compared = None
    if (
        previous is not None
        and domain.comparable_with
        and previous.has_domain(domain.comparable_with)
    ):
        compared = previous.domain(domain.comparable_with)
    questions = {q.id: q for q in edition.contextual_questions}
    return render(
        request,
        "frameworks/domain.jinja",
        {
            "edition": edition,
            "domain": domain,
            "pillar": edition.pillar(domain.pillar),
            "previous": previous,
            "compared": compared,
            "questions": questions,
            "evidenced_by": [q for q in edition.contextual_questions if domain.id in q.evidences],
            "labels": presenters.care_setting_labels,
        },
    )


@require_safe
def questions(request: HttpRequest, edition_id: str) -> HttpResponse:
    edition = _edition_or_404(edition_id)
    care_setting, filter_error = presenters.parse_care_setting(request.GET.get("care_setting"))
    shown = (
        edition.contextual_questions
        if care_setting is None
        else edition.questions_for(care_setting)
    )
    return render(
        request,
        "frameworks/questions.jinja",
        {
            "edition": edition,
            "questions": shown,
            "care_setting": care_setting,
            "filter_error": filter_error,
            "settings": edition.care_settings_covered(),
            "labels": presenters.care_setting_labels,
            "describe_condition": presenters.describe_condition,
            "answer_format": presenters.answer_format,
        },
    )


@require_safe
def diff(request: HttpRequest) -> HttpResponse:
    editions = selectors.list_editions()
    old_id = request.GET.get("from")
    new_id = request.GET.get("to")
    if not old_id and not new_id:
        pair = selectors.default_diff_pair()
        if pair is not None:
            old_id, new_id = pair
    result = None
    if old_id and new_id:
        try:
            result = selectors.edition_diff(old_id, new_id)
        except selectors.EditionNotFound as error:
            raise Http404(str(error)) from None
    elif old_id or new_id:
        raise Http404("Choose two editions to compare")
    names = {row.edition_id: row.title for row in editions}
    return render(
        request,
        "frameworks/diff.jinja",
        {
            "editions": [e for e in editions if e.scoring_model == ScoringModel.CUMULATIVE_LEVELS],
            "old_id": old_id,
            "new_id": new_id,
            "names": names,
            "diff": result,
            "labels": presenters.care_setting_labels,
            "setting_label": lambda value: CareSetting(value).label,
        },
    )
