"""Peer review pages: for reviewers, reviewed organisations, validators and national analysts.

Views load through scoped selectors (a record outside the reader's scope is a 404), check the
role (signed-in people without it get 403; anonymous visitors are sent to sign in), then call
one service or selector. The services check again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.assessments.models import Evidence, EvidenceKind
from maturity.core.review.flags import FLAG_KINDS
from maturity.core.review.outcome import MODERATION_REASONS, State
from maturity.organisations.models import Organisation
from maturity.web.views_common import add_service_errors, form_status, login_required, role_required

from . import forms, selectors, services
from .models import AssignmentKind, AssignmentStatus, FlagStatus, ModerationReason

View = Callable[..., HttpResponse]


analyst_only = role_required(
    selectors.is_national_analyst, "Only national analysts can see this page."
)
reviewer_only = role_required(selectors.is_peer_reviewer, "Only peer reviewers can see this page.")
validator_only = role_required(
    lambda u: selectors.is_validator(u) or selectors.is_national_analyst(u),
    "Only system leads, regional validators and national analysts can see this page.",
)


# --- the hub --------------------------------------------------------------------------------------


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = list(selectors.reviewer_assignments(user))
    context = {
        "assignments": assignments,
        "is_reviewer": selectors.is_peer_reviewer(user),
        "own_reviews": list(selectors.organisation_reviews(user)),
        "is_validator": selectors.is_validator(user) or selectors.is_national_analyst(user),
        "open_flags": selectors.validation_flags_for(user, status=FlagStatus.OPEN).count()
        if selectors.is_validator(user) or selectors.is_national_analyst(user)
        else 0,
        "is_analyst": selectors.is_national_analyst(user),
        "cycles": selectors.cycles() if selectors.is_national_analyst(user) else [],
        "moderations": selectors.moderation_queue().count()
        if selectors.is_national_analyst(user)
        else 0,
        "reviewer_cycles": sorted({a.cycle for a in assignments}, key=lambda c: -c.year),
    }
    return render(request, "reviews/index.jinja", context)


# --- reviewers --------------------------------------------------------------------------------------


@require_safe
@reviewer_only
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_reviewer(request.user, pk)
    lines = selectors.review_lines(assignment, with_answers=False)
    context = {
        "a": assignment,
        "lines": lines,
        "calibrated": selectors.calibration_done(request.user, assignment.cycle),
        "undecided": sum(1 for line in lines if not line.review.decision),
        "State": State,
    }
    return render(request, "reviews/assignment.jinja", context)


@require_http_methods(["GET", "POST"])
@reviewer_only
def domain_decide(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    assignment = selectors.get_assignment_for_reviewer(request.user, pk)
    lines = {line.review.domain_id: line for line in selectors.review_lines(assignment)}
    line = lines.get(domain_id)
    if line is None:
        raise Http404("No such domain in this review.")
    review = line.review
    initial = {
        "decision": review.decision or None,
        "proposed_level": review.proposed_level,
        "reason": review.reason,
        "evidence_requested": review.evidence_requested,
        "evidence_confirmed": review.evidence_confirmed,
    }
    form = forms.DecisionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.domain_review_decide(
                by=request.user,
                review=review,
                decision=data["decision"],
                proposed_level=data["proposed_level"],
                reason=data["reason"],
                evidence_requested=data["evidence_requested"],
                evidence_confirmed=data["evidence_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Your decision on {line.domain.name} is saved.")
            return redirect("reviews:assignment", pk=assignment.pk)
    context = {
        "a": assignment,
        "line": line,
        "form": form,
        "calibrated": selectors.calibration_done(request.user, assignment.cycle),
        "editable": assignment.status == AssignmentStatus.ACTIVE,
    }
    return render(request, "reviews/decide.jinja", context, status=form_status(form))


@require_POST
@reviewer_only
def assignment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_reviewer(request.user, pk)
    try:
        services.assignment_submit(by=request.user, assignment=assignment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Your review is submitted. The organisation can now reply.")
    return redirect("reviews:assignment", pk=assignment.pk)


@require_safe
@reviewer_only
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_reviewer(request.user, pk)
    item = (
        Evidence.objects.current()
        .filter(pk=evidence_id, return_obj=assignment.return_obj, kind=EvidenceKind.FILE)
        .first()
    )
    if item is None or not item.file:
        raise Http404("No such evidence.")
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name or "evidence"
    )


@require_http_methods(["GET", "POST"])
@reviewer_only
def calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(cycle_id)
    cases = selectors.calibration_cases()
    scored = selectors.reviewer_scores(request.user, cycle)
    form = forms.CalibrationForm(
        request.POST if request.method == "POST" else None, cases=cases, scored=scored
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.calibration_scores_save(
                by=request.user, cycle=cycle, levels=form.levels()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{saved} calibration {'score' if saved == 1 else 'scores'} saved."
            )
            return redirect("reviews:calibration", cycle_id=cycle.pk)
    context = {
        "cycle": cycle,
        "cases": cases,
        "scored": scored,
        "form": form,
        "done": selectors.calibration_done(request.user, cycle),
    }
    return render(request, "reviews/calibration.jinja", context, status=form_status(form))


# --- reviewed organisations ------------------------------------------------------------------------


@require_safe
@login_required
def return_review(request: HttpRequest, return_id: int) -> HttpResponse:
    return_ = selectors.get_return_for_organisation(request.user, return_id)
    assignment = selectors.primary_assignment(return_)
    submitted = assignment is not None and assignment.status == AssignmentStatus.SUBMITTED
    context = {
        "r": return_,
        "a": assignment,
        "submitted": submitted,
        "rows": selectors.levels_side_by_side(assignment) if assignment else [],
        "waiting": [
            line
            for line in (
                selectors.review_lines(assignment, with_answers=False) if submitted else []
            )
            if line.review.state == State.AWAITING_ORGANISATION
        ],
        "queries": selectors.open_queries(return_),
        "can_reply": selectors.is_editor_of(request.user, return_.organisation_id),
    }
    return render(request, "reviews/return.jinja", context)


@require_http_methods(["GET", "POST"])
@login_required
def domain_reply(request: HttpRequest, return_id: int, domain_id: str) -> HttpResponse:
    return_ = selectors.get_return_for_organisation(request.user, return_id)
    if not selectors.is_editor_of(request.user, return_.organisation_id):
        raise PermissionDenied("Only the organisation's contributors and submitters can reply.")
    assignment = selectors.primary_assignment(return_)
    if assignment is None or assignment.status != AssignmentStatus.SUBMITTED:
        raise Http404("There is no submitted review to reply to.")
    lines = {
        line.review.domain_id: line
        for line in selectors.review_lines(assignment, with_answers=False)
    }
    line = lines.get(domain_id)
    if line is None or line.review.state != State.AWAITING_ORGANISATION:
        raise Http404("This domain is not waiting for a reply.")
    form = forms.ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.domain_review_reply(
                by=request.user,
                review=line.review,
                response=data["response"],
                text=data["text"],
                evidence=data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if review.state == State.IN_MODERATION:
                messages.success(
                    request,
                    f"Your reply on {line.domain.name} is saved. It goes to a national analyst "
                    "for moderation.",
                )
            else:
                messages.success(
                    request,
                    f"Your reply on {line.domain.name} is saved. The agreed level is "
                    f"{review.agreed_level}.",
                )
            return redirect("reviews:return", return_id=return_.pk)
    context = {"r": return_, "a": assignment, "line": line, "form": form}
    return render(request, "reviews/reply.jinja", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@login_required
def query_reply(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.get_flag_for_organisation(request.user, pk)
    form = forms.FlagReplyForm(
        request.POST if request.method == "POST" else None, initial={"text": flag.reply}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_reply(by=request.user, flag=flag, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your reply is sent to the validator.")
            return redirect("reviews:return", return_id=flag.return_obj_id)
    context = {"flag": flag, "form": form, "guidance": selectors.flag_guidance(flag.kind)}
    return render(request, "reviews/query_reply.jinja", context, status=form_status(form))


# --- validators --------------------------------------------------------------------------------------


@require_safe
@validator_only
def validation_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FlagStatus.OPEN)
    if status not in {*FlagStatus.values, "all"}:
        status = FlagStatus.OPEN
    flags = list(
        selectors.validation_flags_for(request.user, status=None if status == "all" else status)[
            :500
        ]
    )
    context = {"flags": flags, "status": status, "statuses": FlagStatus.choices}
    return render(request, "reviews/validation.jinja", context)


@require_http_methods(["GET", "POST"])
@validator_only
def flag_decide(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.get_flag_for_validator(request.user, pk)
    form = forms.FlagDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_decide(
                by=request.user,
                flag=flag,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The flag on {flag.return_obj.organisation.name} is saved.")
            return redirect("reviews:validation")
    context = {
        "flag": flag,
        "form": form,
        "guidance": selectors.flag_guidance(flag.kind),
        "decidable": flag.status != FlagStatus.CLEARED,
    }
    return render(request, "reviews/flag.jinja", context, status=form_status(form))


# --- national analysts -------------------------------------------------------------------------------


@require_safe
@analyst_only
def cycle_overview(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(cycle_id)
    context = {
        "o": selectors.matching_overview(cycle),
        "second": selectors.matching_overview(cycle, kind=AssignmentKind.BLIND_SECOND),
        "flags": selectors.flags_summary(cycle),
        "flag_kinds": FLAG_KINDS,
        "matching_form": forms.MatchingForm(),
        "blind_form": forms.BlindSampleForm(),
    }
    return render(request, "reviews/cycle.jinja", context)


def _post_to_overview(request: HttpRequest, cycle_id: int, action: Callable) -> HttpResponse:
    cycle = selectors.get_cycle(cycle_id)
    try:
        message = action(cycle)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, message)
    return redirect("reviews:cycle", cycle_id=cycle.pk)


@require_POST
@analyst_only
def matching_run(request: HttpRequest, cycle_id: int) -> HttpResponse:
    form = forms.MatchingForm(request.POST)

    def act(cycle):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        run = services.matching_run(
            by=request.user, cycle=cycle, max_load=form.cleaned_data["max_load"]
        )
        return (
            f"{run.matched} returns matched, {len(run.unmatched)} left unmatched, "
            f"{run.reciprocal_pairs} reciprocal pairs."
        )

    return _post_to_overview(request, cycle_id, act)


@require_POST
@analyst_only
def blind_sample(request: HttpRequest, cycle_id: int) -> HttpResponse:
    form = forms.BlindSampleForm(request.POST)

    def act(cycle):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        run = services.blind_sample_assign(
            by=request.user, cycle=cycle, share=form.cleaned_data["share"] / 100
        )
        return f"{run.matched} returns given a blind second review (sample seed {run.sample_seed})."

    return _post_to_overview(request, cycle_id, act)


@require_POST
@analyst_only
def flags_raise(request: HttpRequest, cycle_id: int) -> HttpResponse:
    def act(cycle):
        run = services.flags_raise(by=request.user, cycle=cycle)
        return (
            f"Flags computed for {run.returns} returns: {run.raised} new, {run.refreshed} "
            f"refreshed, {run.withdrawn} no longer raised."
        )

    return _post_to_overview(request, cycle_id, act)


@require_POST
@analyst_only
def levels_publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    def act(cycle):
        run = services.levels_publish(by=request.user, cycle=cycle)
        return (
            f"Peer-agreed levels published for {run.published_returns} returns; "
            f"{len(run.skipped)} returns are not ready (review unfinished or a flag open)."
        )

    return _post_to_overview(request, cycle_id, act)


@require_http_methods(["GET", "POST"])
@analyst_only
def assignment_override(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment(pk)
    form = forms.OverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["reviewer"].strip().upper()
        reviewer = Organisation.objects.filter(ods_code=code).first()
        if reviewer is None:
            form.add_error("reviewer", f"No organisation has the ODS code {code}.")
        else:
            try:
                new = services.assignment_override(
                    by=request.user,
                    assignment=assignment,
                    reviewer_organisation=reviewer,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{new.reviewer_organisation.name} now reviews it.")
                return redirect("reviews:cycle", cycle_id=assignment.cycle_id)
    context = {"a": assignment, "form": form}
    return render(request, "reviews/override.jinja", context, status=form_status(form))


@require_safe
@analyst_only
def moderation_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "open": list(selectors.moderation_queue()),
        "decided": list(selectors.moderation_queue(decided=True)[:50]),
        "reasons": dict(ModerationReason.choices),
    }
    return render(request, "reviews/moderation.jinja", context)


@require_http_methods(["GET", "POST"])
@analyst_only
def moderation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    moderation = selectors.get_moderation(pk)
    form = forms.ModerationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderation_decide(
                by=request.user,
                moderation=moderation,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                evidence_confirmed=form.cleaned_data["evidence_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The moderation decision is recorded.")
            return redirect("reviews:moderation")
    review = moderation.domain_review
    context = {
        "m": moderation,
        "review": review,
        "domain_name": selectors.domain_name(review.assignment.cycle, review.domain_id),
        "reason_text": MODERATION_REASONS.get(moderation.reason, ""),
        "form": form,
    }
    return render(request, "reviews/moderate.jinja", context, status=form_status(form))


@require_safe
@analyst_only
def reliability(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(cycle_id)
    return render(request, "reviews/reliability.jinja", {"d": selectors.reliability(cycle)})


GROUPINGS = {"organisation": "Organisation", "ics": "Integrated care system", "region": "Region"}


@require_safe
@analyst_only
def inflation(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(cycle_id)
    grouping = request.GET.get("by", "ics")
    if grouping not in GROUPINGS:
        grouping = "ics"
    context = {
        "cycle": cycle,
        "t": selectors.inflation(cycle, grouping=grouping),
        "groupings": GROUPINGS,
        "grouping": grouping,
    }
    return render(request, "reviews/inflation.jinja", context)


@require_http_methods(["GET", "POST"])
@analyst_only
def funding_rounds(request: HttpRequest) -> HttpResponse:
    form = forms.FundingRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_round_add(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The funding round is recorded.")
            return redirect(reverse("reviews:funding-rounds"))
    context = {"rounds": selectors.funding_rounds(), "form": form}
    return render(request, "reviews/funding_rounds.jinja", context, status=form_status(form))
