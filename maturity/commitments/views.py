"""Commitment pages. Reading is public; writing needs the right role, checked here and again in
the services (anonymous visitors are sent to sign in, signed-in people without the role get 403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.accounts.permissions import is_national_analyst, is_panel_member
from maturity.web.pdf import PDF_CONTENT_TYPE
from maturity.web.views_common import add_service_errors, role_required

from . import exports, forms, presenters, selectors, services
from .anchors import ANCHOR_SOURCE, QUESTIONS, RATING_ORDER
from .models import Commitment, EvaluationRound, Rating
from .rules import SUGGESTION_RULE

View = Callable[..., HttpResponse]


analyst_required = role_required(
    is_national_analyst, "Only national analysts can change commitments and their evidence."
)
panel_required = role_required(is_panel_member, "Only expert panel members can rate commitments.")


def _commitment_or_404(slug: str) -> Commitment:
    commitment = selectors.get_commitment(slug)
    if commitment is None:
        raise Http404(f"No commitment {slug}")
    return commitment


def _round_or_404(pk: int) -> EvaluationRound:
    evaluation_round = selectors.get_round(pk)
    if evaluation_round is None:
        raise Http404(f"No evaluation round {pk}")
    return evaluation_round


def _bound(request: HttpRequest, *, files: bool = False) -> tuple:
    """Form arguments: bound to the submitted data on POST (even when empty), unbound on GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _common(request: HttpRequest) -> dict:
    return {
        "can_edit": is_national_analyst(request.user),
        "can_rate": is_panel_member(request.user),
        "p": presenters,
    }


def _form_page(request, form, *, title: str, caption: str, back: str, intro: str = "", **extra):
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back": back,
        "intro": intro,
        **_common(request),
        **extra,
    }
    return render(request, "commitments/form.jinja", context, status=status)


# --- public pages -----------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    context = {"groups": selectors.commitments_by_area(), "rounds": selectors.rounds()}
    return render(request, "commitments/index.jinja", context | _common(request))


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    page = selectors.commitment_page(commitment, as_of=dt.date.today())
    context = {"page": page, "c": commitment, "rule": SUGGESTION_RULE}
    return render(request, "commitments/detail.jinja", context | _common(request))


def _summary_round(request: HttpRequest) -> tuple[EvaluationRound | None, str]:
    raw = request.GET.get("round", "").strip()
    if not raw:
        return selectors.default_round(), ""
    if not raw.isdigit():
        raise Http404("No such evaluation round")
    return _round_or_404(int(raw)), raw


@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    evaluation_round, raw = _summary_round(request)
    data = selectors.summary(evaluation_round)
    query = f"?round={raw}" if raw else ""
    context = {
        "summary": data,
        "rounds": selectors.rounds(),
        "csv_url": reverse("commitments:summary-csv") + query,
        "pdf_url": reverse("commitments:summary-pdf") + query,
        "questions": QUESTIONS,
    }
    return render(request, "commitments/summary.jinja", context | _common(request))


def _summary_file_name(evaluation_round: EvaluationRound | None, extension: str) -> str:
    name = f"commitment-ratings-{evaluation_round.held_on:%Y-%m-%d}" if evaluation_round else "none"
    return f"{name}.{extension}"


@require_safe
def summary_csv(request: HttpRequest) -> HttpResponse:
    evaluation_round, _raw = _summary_round(request)
    data = selectors.summary(evaluation_round)
    response = HttpResponse(selectors.summary_csv(data), content_type="text/csv; charset=utf-8")
    name = _summary_file_name(evaluation_round, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def summary_pdf(request: HttpRequest) -> HttpResponse:
    evaluation_round, _raw = _summary_round(request)
    data = selectors.summary(evaluation_round)
    body = exports.summary_pdf(data, printed_on=dt.date.today())
    response = HttpResponse(body, content_type=PDF_CONTENT_TYPE)
    name = _summary_file_name(evaluation_round, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- analysts ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@analyst_required
def commitment_new(request: HttpRequest) -> HttpResponse:
    form = forms.CommitmentForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_create(by=request.user, data=form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The commitment has been added.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title="Add a commitment",
        caption="Commitments",
        back=reverse("commitments:index"),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def commitment_edit(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    if request.method == "POST":
        form = forms.CommitmentForm(request.POST)
    else:
        form = forms.CommitmentForm(initial=forms.CommitmentForm.initial_for(commitment))
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_update(
                by=request.user, commitment=commitment, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The commitment has been saved.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title="Edit the commitment",
        caption=commitment.title,
        back=commitment.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def deadline_new(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    form = forms.DeadlineRevisionForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_revise(by=request.user, commitment=commitment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The revised deadline has been recorded.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title="Record a revised deadline",
        caption=commitment.title,
        back=commitment.get_absolute_url(),
        intro="Earlier deadlines stay in the commitment's history.",
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def metric_new(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    form = forms.MetricForm(*_bound(request), initial={"direction": "increase"})
    if request.method == "POST" and form.is_valid():
        try:
            services.metric_create(
                by=request.user, commitment=commitment, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The metric has been added.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title="Add a metric",
        caption=commitment.title,
        back=commitment.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def metric_edit(request: HttpRequest, slug: str, metric_slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    metric = selectors.get_metric(commitment, metric_slug)
    if metric is None:
        raise Http404(f"No metric {metric_slug}")
    if request.method == "POST":
        form = forms.MetricForm(request.POST)
    else:
        form = forms.MetricForm(initial=forms.MetricForm.initial_for(metric))
    if request.method == "POST" and form.is_valid():
        try:
            services.metric_update(by=request.user, metric=metric, data=form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The metric has been saved.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title=f"Edit the metric: {metric.name}",
        caption=commitment.title,
        back=commitment.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def observation_new(request: HttpRequest, slug: str, metric_slug: str) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    metric = selectors.get_metric(commitment, metric_slug)
    if metric is None:
        raise Http404(f"No metric {metric_slug}")
    form = forms.ObservationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_add(by=request.user, metric=metric, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The observation has been added.")
            return redirect(commitment)
    return _form_page(
        request,
        form,
        title=f"Add an observation: {metric.name}",
        caption=commitment.title,
        back=commitment.get_absolute_url(),
        intro=f"Unit: {metric.unit}.",
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def observations_import(request: HttpRequest) -> HttpResponse:
    form = forms.ImportForm(*_bound(request, files=True))
    problems: list[services.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_IMPORT_BYTES:
            problems = [services.RowError(0, "", "The file is larger than 2 MB.")]
        else:
            try:
                result = services.observations_import(by=request.user, content=upload.read())
            except services.ImportRejected as rejected:
                problems = rejected.errors
            else:
                messages.success(request, f"{result.created} observations were imported.")
                return redirect("commitments:index")
    status = 400 if problems or (form.is_bound and form.errors) else 200
    context = {"form": form, "problems": problems, "columns": services.IMPORT_COLUMNS}
    return render(request, "commitments/import.jinja", context | _common(request), status=status)


@require_http_methods(["GET", "POST"])
@analyst_required
def round_new(request: HttpRequest) -> HttpResponse:
    form = forms.RoundForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.round_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The evaluation round is open for the panel's ratings.")
            return redirect("commitments:index")
    return _form_page(
        request,
        form,
        title="Open an evaluation round",
        caption="Expert panel",
        back=reverse("commitments:index"),
    )


@require_POST
@analyst_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation_round = _round_or_404(pk)
    services.round_close(by=request.user, evaluation_round=evaluation_round)
    messages.success(request, f"{evaluation_round.name} is closed; its ratings are the record.")
    return redirect(reverse("commitments:summary") + f"?round={evaluation_round.pk}")


def _response_page(request, *, evaluation_round, evaluation=None) -> HttpResponse:
    form = forms.ResponseForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.government_response_add(
                by=request.user,
                evaluation_round=evaluation_round,
                evaluation=evaluation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The government's response has been recorded.")
            if evaluation is not None:
                return redirect(evaluation.commitment)
            return redirect(reverse("commitments:summary") + f"?round={evaluation_round.pk}")
    caption = evaluation_round.name
    if evaluation is not None:
        caption = f"{evaluation.commitment.title}, {evaluation_round.name}"
    back = (
        evaluation.commitment.get_absolute_url()
        if evaluation is not None
        else reverse("commitments:summary") + f"?round={evaluation_round.pk}"
    )
    return _form_page(
        request, form, title="Record the government's response", caption=caption, back=back
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def round_response_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, evaluation_round=_round_or_404(pk))


@require_http_methods(["GET", "POST"])
@analyst_required
def evaluation_response_new(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.get_evaluation(pk)
    if evaluation is None:
        raise Http404(f"No evaluation {pk}")
    return _response_page(request, evaluation_round=evaluation.round, evaluation=evaluation)


# --- the panel ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@panel_required
def evaluate(request: HttpRequest, slug: str, round_pk: int) -> HttpResponse:
    commitment = _commitment_or_404(slug)
    evaluation_round = _round_or_404(round_pk)
    if not evaluation_round.is_open:
        raise PermissionDenied("This evaluation round is closed; its ratings can no longer change.")
    suggestion = selectors.suggestion_for(commitment, as_of=dt.date.today())
    existing = commitment.evaluations.filter(round=evaluation_round).first()
    if request.method == "POST":
        form = forms.EvaluationForm(request.POST)
    else:
        # Every question starts as "Not known": the panel changes only what it can judge.
        initial = (
            forms.EvaluationForm.initial_for(existing)
            if existing
            else {q.key: forms.UNKNOWN for q in QUESTIONS}
        )
        initial["suggestion_seen"] = suggestion.rating or ""
        form = forms.EvaluationForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_save(
                by=request.user,
                commitment=commitment,
                evaluation_round=evaluation_round,
                ratings=form.ratings(),
                override_reason=form.cleaned_data["override_reason"],
                suggestion_seen=form.cleaned_data["suggestion_seen"],
            )
        except services.SuggestionChanged as error:
            data = request.POST.copy()
            data["suggestion_seen"] = suggestion.rating or ""
            form = forms.EvaluationForm(data)
            form.is_valid()
            form.add_error(None, error.messages)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your ratings have been saved.")
            return redirect(commitment)
    context = {
        "form": form,
        "c": commitment,
        "evaluation_round": evaluation_round,
        "suggestion": suggestion,
        "questions": QUESTIONS,
        "rating_order": RATING_ORDER,
        "rating_label": lambda r: Rating(r).label,
        "anchor_source": ANCHOR_SOURCE,
        **_common(request),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "commitments/evaluate.jinja", context, status=status)
