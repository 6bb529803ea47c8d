"""Answering a domain: the page (works without JavaScript), the per-item autosave endpoint that
htmx posts to, evidence, comments, assignment and confirming copied answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import forms, presenters, selectors, services
from ..exceptions import (
    AnswerConflict,
    AssessmentError,
    InvalidAnswer,
    InvalidInput,
    InvalidUpload,
    ReturnLocked,
)
from ..models import Comment, Evidence
from . import _common as common
from . import _reads as reads
from ._common import signed_in
from .conflicts import conflict_page, conflict_rows


def _domain_or_404(return_, domain_id: str):
    edition = common.edition_of(return_)
    for domain in edition.domains_for(return_.care_setting):
        if domain.id == domain_id:
            return edition, domain
    raise Http404(f"This return has no domain {domain_id}")


def _item_ids(domain) -> list[str]:
    return [c.id for c in domain.criteria] + [presenters.narrative_id(domain.id)]


def _domain_url(return_, domain_id: str, anchor: str = "") -> str:
    url = reverse("assessments:domain", args=[return_.pk, domain_id])
    return f"{url}#{anchor}" if anchor else url


# --- the domain page ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@signed_in
def domain_page(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    return_ = common.load_return(request, pk)
    _edition, domain = _domain_or_404(return_, domain_id)
    if request.method != "POST":
        return render_domain(request, return_, domain_id)
    if not selectors.can_edit(request.user, return_):
        return common.forbidden(request, presenters.not_editable_reason(return_))
    posted = forms.domain_items(request.POST, _item_ids(domain))
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
        saved = {answer.item_id for answer in result.saved}
        keep = {i.item_id: i for i in posted if i.changed and i.item_id not in saved}
        return render_domain(
            request,
            return_,
            domain_id,
            posted=keep,
            answer_errors=errors,
            conflicts=result.conflicts,
            status=400,
        )
    if result.conflicts:
        return conflict_page(
            request, return_, result.conflicts, back=_domain_url(return_, domain_id)
        )
    if changes:
        messages.success(request, "Your answers have been saved.")
    if request.POST.get("then") == "stay":
        return redirect(_domain_url(return_, domain_id))
    return redirect("assessments:return", pk)


def render_domain(
    request: HttpRequest,
    return_,
    domain_id: str,
    *,
    posted: dict[str, forms.PostedItem] | None = None,
    answer_errors: dict[str, str] | None = None,
    conflicts: list | None = None,
    file_form: forms.EvidenceFileForm | None = None,
    link_form: forms.EvidenceLinkForm | None = None,
    comment_form: forms.CommentForm | None = None,
    reply_form: tuple[int, forms.CommentForm] | None = None,
    assign_form: forms.AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    edition, domain = _domain_or_404(return_, domain_id)
    data = selectors.domain_page_data(return_, domain_id)
    posted, answer_errors = posted or {}, answer_errors or {}
    people = [(u.pk, presenters.person_name(u)) for u in selectors.assignable_people(return_)]
    assignee_id = getattr(data.assignment, "assignee_id", None)
    threads = presenters.comment_threads(list(data.comments))
    reply_forms = {
        t.comment.pk: forms.CommentForm(prefix=forms.reply_prefix(t.comment.pk)) for t in threads
    }
    if reply_form is not None:
        reply_forms[reply_form[0]] = reply_form[1]
    context = common.return_context(request, return_)
    answer_error_list = [
        {"text": message, "href": f"#{presenters.dom_id(item_id)}"}
        for item_id, message in answer_errors.items()
    ]
    context.update(
        domain=domain,
        data=data,
        levels=presenters.level_rows(domain, data.answers, posted, answer_errors),
        narrative=presenters.narrative_row(domain, data.answers, posted, answer_errors),
        level=presenters.level_summary(data.level),
        copied=any(getattr(a, "copied_from_previous", False) for a in data.answers.values()),
        answer_errors=answer_error_list,
        conflicts=conflict_rows(conflicts or [], data.answers, edition),
        evidence=data.evidence,
        threads=threads,
        reply_forms=reply_forms,
        file_form=file_form or forms.EvidenceFileForm(prefix="file"),
        link_form=link_form or forms.EvidenceLinkForm(prefix="link"),
        comment_form=comment_form or forms.CommentForm(prefix="comment"),
        assign_form=assign_form
        or forms.AssignForm(
            prefix="assign",
            people=people,
            initial={"assignee": str(assignee_id) if assignee_id else ""},
        ),
        can_assign=bool(people) and context["editable"],
        may_comment=selectors.can_comment(request.user, return_),
        accept=forms.EVIDENCE_ACCEPT,
    )
    return render(request, "assessments/domain.jinja", context, status=status)


# --- autosave (htmx) ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@signed_in
def item_save(request: HttpRequest, pk: int, item_id: str) -> HttpResponse:
    """One item, saved as it changes. Answers with a small partial: the status ("Saved" only
    once the service has saved it), the new version for the page's hidden input and the level.

    GET draws the item as saved now (the "use the saved answer" choice after a conflict).
    Without htmx, a POST saves and redirects to the page the item is on.
    """
    return_ = common.load_return(request, pk)
    edition = common.edition_of(return_)
    kind, question, domain_id = _item_kind(edition, return_, item_id)
    back = (
        _domain_url(return_, domain_id) if domain_id else reverse("assessments:context", args=[pk])
    )
    if request.method == "GET":
        if kind == "question" or not common.is_htmx(request):
            # Contextual questions are redrawn with their page (they may reveal others).
            return redirect(f"{back}#{presenters.dom_id(item_id)}")
        answer = reads.answers_by_item(return_, [item_id]).get(item_id)
        return _item_partial(request, return_, edition, item_id, kind, answer=answer, redraw=True)
    if kind == "question":
        posted = forms.question_item(request.POST, question)
        if posted.error and "" in forms.date_parts(request.POST, forms.ANSWER + item_id):
            # A date being typed: wait for all three parts before saving.
            return HttpResponse("")
    elif kind == "narrative":
        posted = forms.narrative_item(request.POST, item_id)
    else:
        posted = forms.criterion_item(request.POST, item_id)
    if posted.error:
        return _status(request, f"Not saved: {posted.error}", error=True, back=back)
    try:
        answer = services.answer_save(
            by=request.user,
            return_=return_,
            item_id=item_id,
            value=posted.value,
            expected_version=posted.expected_version,
        )
    except AnswerConflict as conflict:
        if not common.is_htmx(request):
            return conflict_page(request, return_, [conflict], back=back)
        return _item_partial(request, return_, edition, item_id, kind, conflict=conflict)
    except (InvalidAnswer, ReturnLocked) as refusal:
        return _status(
            request,
            f"Not saved: {presenters.error_text(item_id, refusal.message)}",
            error=True,
            back=back,
        )
    if not common.is_htmx(request):
        messages.success(request, "Your answer has been saved.")
        return redirect(back)
    return _item_partial(request, return_, edition, item_id, kind, answer=answer)


def _item_kind(edition, return_, item_id: str) -> tuple[str, Any, str | None]:
    """("criterion" | "narrative" | "question", the question or None, the domain id or None)."""
    domain_id = presenters.item_domain_id(edition, item_id)
    if domain_id is not None:
        _domain_or_404(return_, domain_id)
        kind = "narrative" if item_id.startswith(presenters.NARRATIVE_PREFIX) else "criterion"
        return kind, None, domain_id
    question = presenters.item_question(edition, item_id)
    if question is None or not question.applies_to(return_.care_setting):
        raise Http404(f"This return has no item {item_id}")
    return "question", question, None


def _status(request: HttpRequest, text: str, *, error: bool, back: str) -> HttpResponse:
    if not common.is_htmx(request):
        messages.error(request, text)
        return redirect(back)
    return render(request, "assessments/_status.jinja", {"text": text, "error": error}, status=200)


def _item_partial(
    request: HttpRequest,
    return_,
    edition,
    item_id: str,
    kind: str,
    *,
    answer=None,
    conflict: AnswerConflict | None = None,
    redraw: bool = False,
) -> HttpResponse:
    level = None
    domain_id = presenters.item_domain_id(edition, item_id)
    if domain_id is not None and conflict is None:
        level = presenters.level_summary(selectors.domain_page_data(return_, domain_id).level)
    question = presenters.item_question(edition, item_id)
    context: dict[str, Any] = {
        "r": return_,
        "p": presenters,
        "kind": kind,
        "item_id": item_id,
        "dom": presenters.dom_id(item_id),
        "answer": answer,
        "original": forms.question_shown(question, answer.value)
        if (question is not None and answer is not None)
        else ("" if answer is None or answer.value is None else str(answer.value)),
        "saved_at": timezone.localtime(answer.updated_at) if answer is not None else None,
        "level": level,
        "redraw": redraw,
        "row": presenters.criterion_row(edition, item_id, answer)
        if (redraw and kind != "question")
        else None,
        "item_url": reverse("assessments:item", args=[return_.pk, item_id]),
        "narrative_label": f"Narrative for {edition.domain(domain_id).name}"
        if kind == "narrative"
        else "",
    }
    if conflict is not None:
        current = reads.answers_by_item(return_, [item_id]).get(item_id)
        context["conflict"] = conflict_rows([conflict], {item_id: current}, edition)[0]
        context["mine_value"] = conflict.attempted_value
        context["page_url"] = (
            _domain_url(return_, domain_id, presenters.dom_id(item_id))
            if domain_id
            else reverse("assessments:context", args=[return_.pk])
            + "#"
            + presenters.dom_id(item_id)
        )
    return render(request, "assessments/_item.jinja", context)


# --- evidence -----------------------------------------------------------------------------------


@require_POST
@signed_in
def evidence_file(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    return_ = common.load_return(request, pk)
    _domain_or_404(return_, domain_id)
    form = forms.EvidenceFileForm(request.POST, request.FILES, prefix="file")
    if form.is_valid():
        try:
            services.evidence_add_file(
                by=request.user,
                return_=return_,
                domain_id=domain_id,
                uploaded_file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except (InvalidUpload, ReturnLocked) as refusal:
            form.add_error("file", refusal.message)
        else:
            messages.success(request, "The file has been added to the evidence.")
            return redirect(_domain_url(return_, domain_id, "evidence"))
    return render_domain(request, return_, domain_id, file_form=form, status=400)


@require_POST
@signed_in
def evidence_link(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    return_ = common.load_return(request, pk)
    _domain_or_404(return_, domain_id)
    form = forms.EvidenceLinkForm(request.POST, prefix="link")
    if form.is_valid():
        try:
            services.evidence_add_link(
                by=request.user,
                return_=return_,
                domain_id=domain_id,
                url=form.cleaned_data["url"],
                note=form.cleaned_data["note"],
            )
        except (InvalidUpload, ReturnLocked) as refusal:
            form.add_error("url", refusal.message)
        else:
            messages.success(request, "The link has been added to the evidence.")
            return redirect(_domain_url(return_, domain_id, "evidence"))
    return render_domain(request, return_, domain_id, link_form=form, status=400)


@require_POST
@signed_in
def evidence_remove(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    evidence = _evidence_or_404(return_, evidence_id)
    try:
        services.evidence_remove(by=request.user, evidence=evidence)
    except AssessmentError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"“{evidence.label}” has been removed from the evidence.")
    return redirect(_domain_url(return_, evidence.domain_id, "evidence"))


def _evidence_or_404(return_, evidence_id: int) -> Evidence:
    # Scoped by the return the user may see: another return's evidence is a 404.
    evidence = Evidence.objects.current().filter(return_obj=return_, pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence in this return")
    return evidence


# --- comments -----------------------------------------------------------------------------------


@require_POST
@signed_in
def comment_add(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    """A new thread, or a reply when the form names the thread it answers."""
    return_ = common.load_return(request, pk)
    _domain_or_404(return_, domain_id)
    raw_thread = request.POST.get("thread", "")
    parent = _comment_or_404(return_, int(raw_thread), domain_id) if raw_thread.isdigit() else None
    prefix = forms.reply_prefix(parent.pk) if parent else "comment"
    form = forms.CommentForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.comment_add(
                by=request.user,
                return_=return_,
                domain_id=domain_id,
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except (InvalidInput, ReturnLocked) as refusal:
            form.add_error("body", refusal.message)
        else:
            messages.success(
                request, "Your reply has been added." if parent else "Your comment has been added."
            )
            return redirect(_domain_url(return_, domain_id, "comments"))
    if parent is not None:
        return render_domain(request, return_, domain_id, reply_form=(parent.pk, form), status=400)
    return render_domain(request, return_, domain_id, comment_form=form, status=400)


@require_POST
@signed_in
def comment_resolve(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    return_ = common.load_return(request, pk)
    comment = _comment_or_404(return_, comment_id)
    try:
        services.comment_resolve(by=request.user, comment=comment)
    except AssessmentError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The comment has been marked as resolved.")
    return redirect(_domain_url(return_, comment.domain_id, "comments"))


def _comment_or_404(return_, comment_id: int, domain_id: str | None = None) -> Comment:
    comments = Comment.objects.filter(return_obj=return_, pk=comment_id)
    if domain_id is not None:
        comments = comments.filter(domain_id=domain_id)
    comment = comments.first()
    if comment is None:
        raise Http404("No such comment in this return")
    return comment


# --- assignment and copied answers ---------------------------------------------------------------


@require_POST
@signed_in
def assign(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    return_ = common.load_return(request, pk)
    _domain_or_404(return_, domain_id)
    people = {u.pk: u for u in selectors.assignable_people(return_)}
    form = forms.AssignForm(
        request.POST,
        prefix="assign",
        people=[(pk, presenters.person_name(u)) for pk, u in people.items()],
    )
    if form.is_valid():
        assignee = people[int(form.cleaned_data["assignee"])]
        try:
            services.domain_assign(
                by=request.user, return_=return_, domain_id=domain_id, assignee=assignee
            )
        except (InvalidInput, ReturnLocked) as refusal:
            form.add_error("assignee", refusal.message)
        else:
            name = presenters.person_name(assignee)
            messages.success(request, f"{name} is now answering this domain.")
            return redirect(_domain_url(return_, domain_id))
    return render_domain(request, return_, domain_id, assign_form=form, status=400)


@require_POST
@signed_in
def copied_confirm(request: HttpRequest, pk: int, domain_id: str) -> HttpResponse:
    return_ = common.load_return(request, pk)
    _domain_or_404(return_, domain_id)
    try:
        count = services.copied_answers_confirm(
            by=request.user, return_=return_, domain_id=domain_id
        )
    except AssessmentError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"You confirmed {count} copied answer{'s' if count != 1 else ''} in this domain.",
        )
    return redirect(_domain_url(return_, domain_id))


@require_safe
@signed_in
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """An evidence file, to people who can see the return. Always an attachment, with the type
    sniffed at upload, so a file is never rendered in the site's origin."""
    return_ = common.load_return(request, pk)
    evidence = _evidence_or_404(return_, evidence_id)
    if evidence.kind != "file" or evidence.scan_status == "infected":
        raise Http404("This evidence has no file to download")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
