"""Cycle pages: national analysts open a cycle and change its scope; analysts, system leads and
regional validators follow completion (reporting rates, DHIS2 style); organisations read their
provisional results and reply."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.accounts.models import Role
from maturity.accounts.permissions import organisation_ids_with_role
from maturity.core.framework.schema import ScoringModel
from maturity.frameworks.selectors import list_editions
from maturity.organisations.models import Organisation
from maturity.reviews import selectors as review_selectors

from .. import forms, presenters, selectors, services
from ..exceptions import AssessmentError
from ..models import EDITION_CONTENT, Cycle
from ._common import View, forbidden, signed_in

TRACKING_ROLES = (Role.NATIONAL_ANALYST, Role.SYSTEM_LEAD, Role.REGIONAL_VALIDATOR)
GROUP_LABELS = {
    "region": "Region",
    "icb": "Integrated care board",
    "care_setting": "Care setting",
    "organisation": "Organisation",
}


def may_track(user: Any) -> bool:
    return bool(organisation_ids_with_role(user, *TRACKING_ROLES))


def _requires(check: Callable[[Any], bool], message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                return forbidden(request, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


analysts_only = _requires(
    selectors.can_manage_cycles, "Only national analysts can open and change assessment cycles."
)
trackers_only = _requires(
    may_track,
    "Completion is shown to national analysts, system leads and regional validators.",
)


def _cycle_or_404(user: Any, pk: int) -> Cycle:
    cycle = selectors.cycles_visible_to(user).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def _editions() -> list[tuple[str, str]]:
    return [
        (row.edition_id, f"{row.title} ({row.get_status_display().lower()})")
        for row in list_editions()
        if row.scoring_model == ScoringModel.CUMULATIVE_LEVELS and not row.illustrative
    ]


# --- list, open, detail ---------------------------------------------------------------------------


@require_safe
@signed_in
@trackers_only
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = selectors.cycles_visible_to(request.user).order_by("-year", "title")
    return render(
        request,
        "assessments/cycles/index.jinja",
        {"cycles": cycles, "may_manage": selectors.can_manage_cycles(request.user)},
    )


@require_http_methods(["GET", "POST"])
@signed_in
@analysts_only
def cycle_new(request: HttpRequest) -> HttpResponse:
    form = forms.CycleForm(request.POST if request.method == "POST" else None, editions=_editions())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                by=request.user,
                year=data["year"],
                edition_id=data["edition_id"],
                title=data["title"],
                organisation_kinds=data["organisation_kinds"],
                care_settings=data["care_settings"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                review_closes_on=data["review_closes_on"],
                provisional_release_on=data["provisional_release_on"],
                publication_on=data["publication_on"],
            )
        except (AssessmentError, ValidationError) as refusal:
            form.add_error(None, getattr(refusal, "message", None) or "; ".join(refusal.messages))
        else:
            count = cycle.returns.count()
            messages.success(
                request,
                f"The cycle has been opened with {count} return{'s' if count != 1 else ''}.",
            )
            return redirect("cycles:detail", cycle.pk)
    return render(
        request,
        "assessments/cycles/form.jinja",
        {"form": form, "dates": [name for name, _ in forms.CYCLE_DATES]},
        status=400 if form.errors else 200,
    )


@require_safe
@signed_in
@trackers_only
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    table = selectors.completion(cycle, user=request.user, group_by="care_setting")
    return render(
        request,
        "assessments/cycles/detail.jinja",
        {
            "cycle": cycle,
            "table": table,
            "p": presenters,
            "kinds": dict(forms.ORGANISATION_KIND_CHOICES),
            "settings": dict(forms.CARE_SETTING_CHOICES),
            "may_manage": selectors.can_manage_cycles(request.user),
            "released": hasattr(cycle, "provisional_release"),
        },
    )


@require_http_methods(["GET", "POST"])
@signed_in
@analysts_only
def cycle_scope(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    if request.method == "POST":
        form = forms.ScopeForm(request.POST)
    else:
        form = forms.ScopeForm(
            initial={
                "organisation_kinds": cycle.scope_organisation_kinds,
                "care_settings": cycle.scope_care_settings,
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.cycle_set_scope(
                by=request.user,
                cycle=cycle,
                organisation_kinds=form.cleaned_data["organisation_kinds"],
                care_settings=form.cleaned_data["care_settings"],
            )
        except AssessmentError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"The scope has been changed: {_count(change.added)} added, "
                f"{_count(change.withdrawn)} withdrawn and {_count(change.restored)} restored.",
            )
            return redirect("cycles:detail", cycle.pk)
    return render(
        request,
        "assessments/cycles/scope.jinja",
        {"form": form, "cycle": cycle},
        status=400 if form.errors else 200,
    )


def _count(value: Any) -> str:
    number = value if isinstance(value, int) else len(value)
    return f"{number} return{'s' if number != 1 else ''}"


@require_POST
@signed_in
@analysts_only
def cycle_release(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    try:
        count = services.provisional_release(by=request.user, cycle=cycle)
    except AssessmentError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Provisional results have been released to {count} "
            f"organisation{'s' if count != 1 else ''}.",
        )
    return redirect("cycles:detail", cycle.pk)


@require_POST
@signed_in
@analysts_only
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    try:
        late = services.cycle_close(by=request.user, cycle=cycle)
    except AssessmentError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"The cycle has been closed. {late} return{'s were' if late != 1 else ' was'} "
            "marked late.",
        )
    return redirect("cycles:detail", cycle.pk)


@require_http_methods(["GET", "POST"])
@signed_in
@analysts_only
def cycle_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    form = forms.ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_reopen(
                by=request.user,
                cycle=cycle,
                closes_on=form.cleaned_data["closes_on"],
                reason=form.cleaned_data["reason"],
            )
        except AssessmentError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "The cycle has been reopened.")
            return redirect("cycles:detail", cycle.pk)
    return render(
        request,
        "assessments/cycles/reopen.jinja",
        {"form": form, "cycle": cycle},
        status=400 if form.errors else 200,
    )


# --- completion -----------------------------------------------------------------------------------


@require_safe
@signed_in
@trackers_only
def completion(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request.user, pk)
    group_by = request.GET.get("by", "region")
    if group_by not in selectors.COMPLETION_GROUPS:
        group_by = "region"
    within = request.GET.get("within", "").strip()[:80] or None
    table = selectors.completion(cycle, user=request.user, group_by=group_by, within=within)
    base = reverse("cycles:completion", args=[cycle.pk])

    def link(by: str, within_key: str | None = None) -> str:
        params = {"by": by, **({"within": within_key} if within_key else {})}
        return f"{base}?{urlencode(params)}"

    return render(
        request,
        "assessments/cycles/completion.jinja",
        {
            "cycle": cycle,
            "table": table,
            "group_by": group_by,
            "group_label": GROUP_LABELS[group_by],
            "groupings": [(key, label, link(key)) for key, label in GROUP_LABELS.items()],
            "link": link,
            "p": presenters,
        },
    )


# --- provisional results for one organisation -----------------------------------------------------


@require_safe
@signed_in
def organisation_release(request: HttpRequest, pk: int, ods_code: str) -> HttpResponse:
    organisation = Organisation.objects.filter(ods_code=ods_code.upper()).first()
    if organisation is None:
        raise Http404("No such organisation")
    cycle = _cycle_or_404(request.user, pk)
    return render_release(request, cycle, organisation)


def render_release(
    request: HttpRequest,
    cycle: Cycle,
    organisation: Organisation,
    *,
    reply_forms: dict[int, forms.RightOfReplyForm] | None = None,
) -> HttpResponse:
    returns = list(
        selectors.returns_visible_to(request.user)
        .filter(cycle=cycle, organisation=organisation)
        .select_related("cycle__edition", "organisation")
        .defer(EDITION_CONTENT)
        .order_by("care_setting")
    )
    if not returns:
        raise Http404("No returns of this organisation in this cycle that you can see")
    replying = organisation.pk in organisation_ids_with_role(
        request.user, Role.CONTRIBUTOR, Role.SUBMITTER
    )
    reply_forms = reply_forms or {}
    results = []
    for return_ in returns:
        result = selectors.provisional_result(return_)
        results.append(
            {
                "r": return_,
                "result": result,
                "pillars": _pillar_rows(return_, result),
                # Queried validation flags, shown beside the results they may change.
                "queries": review_selectors.open_queries(return_),
                "peer_levels": _peer_levels(return_),
                "form": reply_forms.get(return_.pk)
                or forms.RightOfReplyForm(prefix=f"reply-{return_.pk}"),
            }
        )
    status = 400 if any(f.errors for f in reply_forms.values()) else 200
    return render(
        request,
        "assessments/release.jinja",
        {
            "cycle": cycle,
            "organisation": organisation,
            "results": results,
            "replying": replying and cycle.status == "provisional_release",
            "can_answer_queries": replying,
            "p": presenters,
            "reply_forms": reply_forms,
        },
        status=status,
    )


def _peer_levels(return_) -> dict[str, int] | None:
    """How far the submitted peer review of the return has got, or None before it is submitted."""
    from maturity.core.review.outcome import State
    from maturity.reviews.models import AssignmentStatus

    assignment = review_selectors.primary_assignment(return_)
    if assignment is None or assignment.status != AssignmentStatus.SUBMITTED:
        return None
    rows = review_selectors.levels_side_by_side(assignment)
    settled = [r for r in rows if r.state in (State.AGREED, State.MODERATED)]
    return {
        "domains": len(rows),
        "settled": len(settled),
        "changed": sum(r.agreed_level != r.self_level for r in settled),
    }


def _pillar_rows(return_, result) -> list[tuple[str, float]]:
    if result is None or result.score is None:
        return []
    from maturity.frameworks.selectors import get_edition

    edition = get_edition(return_.cycle.edition.edition_id)
    names = {pillar.id: pillar.name for pillar in edition.pillars}
    return [
        (names.get(pillar_id, pillar_id), value)
        for pillar_id, value in result.score.pillar_scores.items()
    ]
