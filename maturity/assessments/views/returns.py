"""A return's own pages: the list of returns, the task list, contextual questions, commit,
unlock, copying last year's answers, the audit trail and resolving conflicting saves."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.audit.presenters import audit_rows
from maturity.audit.selectors import records_for_target

from .. import forms, presenters, selectors, services
from ..exceptions import (
    AssessmentError,
    IllegalTransition,
    InvalidInput,
    MissingItems,
    ReturnLocked,
)
from . import _common as common
from . import _reads as reads
from ._common import signed_in
from .conflicts import Pending, conflict_page, conflict_rows

RETURNS_PER_PAGE = 50
AUDIT_ON_OVERVIEW = 5


# --- your returns -------------------------------------------------------------------------------


@require_safe
@signed_in
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    returns = selectors.returns_visible_to(request.user).select_related("cycle", "organisation")
    if query:
        returns = returns.filter(organisation__name__icontains=query) | returns.filter(
            organisation__ods_code__iexact=query
        )
    returns = returns.order_by("-cycle__year", "cycle__title", "organisation__name", "care_setting")
    page = Paginator(returns, RETURNS_PER_PAGE).get_page(request.GET.get("page"))
    groups: list[dict[str, Any]] = []
    for return_ in page.object_list:
        if not groups or groups[-1]["cycle"].pk != return_.cycle_id:
            groups.append({"cycle": return_.cycle, "returns": []})
        groups[-1]["returns"].append(return_)
    params = {"q": query} if query else {}
    return render(
        request,
        "assessments/index.jinja",
        {
            "groups": groups,
            "page": page,
            "query": query,
            "page_url": lambda n: "?" + urlencode({**params, "page": n}),
            "p": presenters,
        },
    )


# --- the task list ------------------------------------------------------------------------------


@require_safe
@signed_in
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    task_list = selectors.return_task_list(return_)
    audit = records_for_target("assessments.return", return_.pk, per_page=AUDIT_ON_OVERVIEW)
    context = common.return_context(request, return_)
    context.update(
        task_list=task_list,
        exports=_exports(return_, editable=context["editable"]),
        open_comments=reads.open_comment_counts(return_),
        audit_rows=audit_rows(audit.object_list),
        audit_more=audit.paginator.count > AUDIT_ON_OVERVIEW,
    )
    return render(request, "assessments/overview.jinja", context)


def _exports(return_, *, editable: bool) -> list[tuple[str, str]]:
    """Links to the return's exports and import (the interop pages), when they are installed."""
    wanted = [
        ("interop:export-pdf", "Download this return as a PDF"),
        ("interop:export-csv", "Download this return as a spreadsheet (CSV)"),
    ]
    if editable:
        wanted.append(("interop:import", "Import answers from a file"))
    links = []
    for name, text in wanted:
        try:
            links.append((reverse(name, args=[return_.pk]), text))
        except NoReverseMatch:
            continue
    return links


# --- contextual questions -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@signed_in
def context_questions(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    data = selectors.contextual_page_data(return_)
    if request.method != "POST":
        return _render_context(request, return_, data)
    if not selectors.can_edit(request.user, return_):
        return common.forbidden(request, presenters.not_editable_reason(return_))
    posted = [forms.question_item(request.POST, question) for question in data.questions]
    errors = {item.item_id: item.error for item in posted if item.error}
    changes = [
        services.AnswerChange(
            item_id=item.item_id, value=item.value, expected_version=item.expected_version
        )
        for item in posted
        if item.changed and not item.error
    ]
    try:
        result = services.answers_save(by=request.user, return_=return_, changes=changes)
    except ReturnLocked as refusal:
        messages.error(request, refusal.message)
        return redirect("assessments:return", pk)
    errors.update(
        {item_id: presenters.error_text(item_id, m) for item_id, m in result.errors.items()}
    )
    if errors:
        # Items the person changed but that were not saved are drawn as posted; the rest come
        # from the database again.
        saved = {answer.item_id for answer in result.saved}
        shown = {
            item.item_id: item for item in posted if item.changed and item.item_id not in saved
        }
        data = selectors.contextual_page_data(return_)
        return _render_context(
            request, return_, data, errors=errors, posted=shown, conflicts=result.conflicts
        )
    if result.conflicts:
        return conflict_page(
            request, return_, result.conflicts, back=reverse("assessments:context", args=[pk])
        )
    messages.success(request, "Your answers to the contextual questions have been saved.")
    return redirect(_after_save(request, return_, "assessments:context"))


def _after_save(request: HttpRequest, return_, stay: str, *args: Any) -> str:
    if request.POST.get("then") == "stay":
        return reverse(stay, args=[return_.pk, *args])
    return reverse("assessments:return", args=[return_.pk])


def _render_context(
    request: HttpRequest,
    return_,
    data,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, forms.PostedItem] | None = None,
    conflicts: list | None = None,
) -> HttpResponse:
    errors = errors or {}
    context = common.return_context(request, return_)
    fields = presenters.question_fields(data.questions, data.answers, posted or {}, errors)
    edition = common.edition_of(return_)
    context.update(
        fields=fields,
        errors=errors,
        date_ids={q.id for q in data.questions if q.type == "date"},
        conflicts=conflict_rows(conflicts or [], data.answers, edition),
        item_url_for=lambda item_id: reverse("assessments:item", args=[return_.pk, item_id]),
    )
    status = 400 if errors else 200
    return render(request, "assessments/context.jinja", context, status=status)


# --- conflicts ----------------------------------------------------------------------------------


@require_POST
@signed_in
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The conflict page's choices: re-save "mine" with the version the person has now seen."""
    return_ = common.load_return(request, pk)
    back = request.POST.get("back", "")
    if not back.startswith(reverse("assessments:return", args=[pk])):
        back = reverse("assessments:return", args=[pk])
    item_ids = [v for v in request.POST.getlist("item") if v][:200]
    form = forms.ConflictChoiceForm(request.POST, item_ids=item_ids)
    attempted = {item_id: _attempted(request.POST, item_id) for item_id in item_ids}
    if not form.is_valid():
        rebuilt = [
            Pending(
                item_id=item_id,
                current_value=None,
                current_version=forms.parse_version(request.POST.get(f"version-{item_id}")),
                attempted_value=attempted[item_id],
            )
            for item_id in item_ids
        ]
        return conflict_page(request, return_, rebuilt, back=back, form=form, refresh=True)
    changes = [
        services.AnswerChange(
            item_id=item_id,
            value=attempted[item_id],
            expected_version=forms.parse_version(request.POST.get(f"version-{item_id}")),
        )
        for item_id in item_ids
        if form.cleaned_data[f"keep-{item_id}"] == forms.ConflictChoiceForm.MINE
    ]
    result = services.answers_save(by=request.user, return_=return_, changes=changes)
    if result.conflicts:
        return conflict_page(request, return_, result.conflicts, back=back)
    for item_id, message in result.errors.items():
        messages.error(request, presenters.error_text(item_id, message))
    if not result.errors:
        messages.success(request, "Your choices have been saved.")
    return redirect(back)


def _attempted(data, item_id: str) -> Any:
    raw = data.get(f"mine-{item_id}", "null")
    try:
        return json.loads(raw)
    except ValueError:
        return None


# --- commit and unlock --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@signed_in
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    if not selectors.can_commit(request.user, return_):
        return common.forbidden(
            request, "Only the organisation's submitter can commit a return that is not locked."
        )
    status = 200
    missing = selectors.missing_items(return_)
    if request.method == "POST":
        try:
            services.return_commit(by=request.user, return_=return_)
        except MissingItems as refusal:
            missing, status = refusal.items, 400
        except IllegalTransition as refusal:
            messages.error(request, str(refusal))
            return redirect("assessments:return", pk)
        else:
            messages.success(request, "The return has been committed. It is now locked.")
            return redirect("assessments:return", pk)
    context = common.return_context(request, return_)
    context.update(missing=_missing_links(return_, missing))
    return render(request, "assessments/commit.jinja", context, status=status)


def _missing_links(return_, missing) -> list[dict[str, str]]:
    links = []
    for item in missing:
        if item.domain_id == selectors.CONTEXTUAL_SECTION:
            href = reverse("assessments:context", args=[return_.pk])
        else:
            href = reverse("assessments:domain", args=[return_.pk, item.domain_id])
        links.append({"text": item.label, "href": f"{href}#{presenters.dom_id(item.item_id)}"})
    return links


@require_http_methods(["GET", "POST"])
@signed_in
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    if not selectors.can_unlock(request.user):
        return common.forbidden(request, "Only national analysts can unlock a committed return.")
    form = forms.UnlockForm(*common.bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.return_unlock(
                by=request.user, return_=return_, reason=form.cleaned_data["reason"]
            )
        except (IllegalTransition, InvalidInput) as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, "The return has been unlocked. The organisation can change it."
            )
            return redirect("assessments:return", pk)
    context = common.return_context(request, return_)
    context.update(form=form)
    status = 400 if form.errors else 200
    return render(request, "assessments/unlock.jinja", context, status=status)


# --- copy last year's answers -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@signed_in
def copy_previous(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    if not selectors.can_edit(request.user, return_):
        return common.forbidden(request, presenters.not_editable_reason(return_))
    if request.method == "POST":
        result = services.previous_answers_copy(by=request.user, return_=return_)
        if result.copied:
            messages.success(
                request,
                f"Last year's answers were copied into {result.copied} "
                f"domain{'s' if result.copied != 1 else ''}. "
                "Check each one marked “Copied – check and confirm”.",
            )
        else:
            messages.info(request, "There were no answers from last year to copy.")
        return redirect("assessments:return", pk)
    context = common.return_context(request, return_)
    context.update(copy=reads.copy_preview(return_, common.edition_of(return_)))
    return render(request, "assessments/copy.jinja", context)


# --- audit --------------------------------------------------------------------------------------


@require_safe
@signed_in
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    page = records_for_target("assessments.return", return_.pk, page=request.GET.get("page"))
    context = common.return_context(request, return_)
    context.update(
        page=page,
        audit_rows=audit_rows(page.object_list),
        page_url=lambda n: "?" + urlencode({"page": n}),
    )
    return render(request, "assessments/audit.jinja", context)


# --- right of reply -----------------------------------------------------------------------------


@require_POST
@signed_in
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's right of reply to a return's provisional results."""
    return_ = common.load_return(request, pk)
    form = forms.RightOfReplyForm(request.POST, prefix=f"reply-{return_.pk}")
    if form.is_valid():
        try:
            services.right_of_reply_add(
                by=request.user, return_=return_, text=form.cleaned_data["text"]
            )
        except AssessmentError as refusal:
            form.add_error("text", refusal.message)
        else:
            messages.success(request, "Your reply has been sent to NHS England.")
            return redirect(
                "cycles:organisation-release", return_.cycle_id, return_.organisation.ods_code
            )
    from .cycles import render_release

    return render_release(
        request, return_.cycle, return_.organisation, reply_forms={return_.pk: form}
    )
