"""Support pages. Access follows :mod:`.rules`: anonymous visitors are sent to sign in where a
page needs it; signed-in people without the right get 403, or 404 where even knowing that the
thing exists would say too much (another organisation's draft case study).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.accounts.permissions import active_memberships
from maturity.core.optimise import OBJECTIVES
from maturity.core.vocab import PILLAR_LABELS, Pillar
from maturity.web.views_common import add_service_errors, login_required, role_required

from . import exports, forms, presenters, rules, selectors, services
from .models import CaseStudy, FundingProgramme, Scenario

View = Callable[..., HttpResponse]
PILLAR_IDS = [p.value for p in Pillar]
ENGLAND = "england"  # the needs-support list for the whole country


analyst_required = role_required(
    rules.can_plan, "Only national analysts can see and change funding plans."
)


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _context(request: HttpRequest, **extra) -> dict:
    return {"p": presenters, "s": selectors, "can_plan": rules.can_plan(request.user), **extra}


def _form_page(request, form, *, title: str, caption: str, back: str, intro: str = "", **extra):
    status = 400 if form.is_bound and form.errors else 200
    context = _context(request, form=form, title=title, caption=caption, back=back, intro=intro)
    return render(request, "support/form.jinja", context | extra, status=status)


def _programme_or_404(pk: int) -> FundingProgramme:
    programme = selectors.get_programme(pk)
    if programme is None:
        raise Http404("No such funding programme")
    return programme


def _scenario_or_404(pk: int) -> Scenario:
    scenario = selectors.get_scenario(pk)
    if scenario is None:
        raise Http404("No such scenario")
    return scenario


# --- overview and needs support (public) ------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    own = []
    if request.user.is_authenticated:
        own = sorted({m.organisation for m in active_memberships(request.user)}, key=str)
        own = [o for o in own if o.kind in ("trust", "icb", "gp_practice", "asc_provider")]
    return render(request, "support/index.jinja", _context(request, own=own))


@require_safe
def needs_index(request: HttpRequest) -> HttpResponse:
    report = selectors.needs_report()
    context = _context(request, report=report, index=selectors.needs_index(report))
    return render(request, "support/needs_index.jinja", context)


@require_safe
def needs_area(request: HttpRequest, ods_code: str) -> HttpResponse:
    report = selectors.needs_report()
    area = None
    if ods_code != ENGLAND:
        area = selectors.get_area(ods_code)
        if area is None:
            raise Http404("No ICB or region with that code")
        report = report.within(area)
    return render(request, "support/needs_area.jinja", _context(request, area=area, report=report))


# --- case studies -------------------------------------------------------------------------------


def _case_study_or_404(request: HttpRequest, slug: str) -> CaseStudy:
    case_study = selectors.get_case_study(slug)
    if case_study is None or not rules.can_view_case_study(request.user, case_study):
        raise Http404("No such case study")
    return case_study


@require_safe
def case_study_search(request: HttpRequest) -> HttpResponse:
    domains = selectors.domain_choices()
    form = forms.CaseStudySearchForm(request.GET or None, domains=domains)
    query = selectors.CaseStudyQuery()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        query = selectors.CaseStudyQuery(
            d["q"], d["pillar"], d["domain"], d["care_setting"], d["supplier"]
        )
    results = list(selectors.search_case_studies(query))
    context = _context(
        request,
        form=form,
        results=results,
        searched=any(vars(query).values()),
        domain_names=selectors.domain_names(),
        can_write=bool(rules.submitter_organisation_ids(request.user)),
        can_review=rules.can_review_case_studies(request.user),
    )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "support/case_studies.jinja", context, status=status)


@require_safe
@login_required
def case_study_mine(request: HttpRequest) -> HttpResponse:
    ids = {m.organisation_id for m in active_memberships(request.user)}
    context = _context(
        request,
        case_studies=list(selectors.case_studies_of(ids)),
        can_write=bool(rules.submitter_organisation_ids(request.user)),
    )
    return render(request, "support/case_studies_mine.jinja", context)


@require_safe
@login_required
def case_study_queue(request: HttpRequest) -> HttpResponse:
    if not rules.can_review_case_studies(request.user):
        raise PermissionDenied("Only national analysts review case studies.")
    context = _context(request, queue=list(selectors.review_queue()))
    return render(request, "support/case_study_queue.jinja", context)


@require_http_methods(["GET", "POST"])
@login_required
def case_study_new(request: HttpRequest) -> HttpResponse:
    ids = rules.submitter_organisation_ids(request.user)
    if not ids:
        raise PermissionDenied("Only an organisation's submitters can write its case studies.")
    organisations = selectors.organisations(ids)
    form = forms.CaseStudyForm(
        _bound(request), organisations=organisations, domains=selectors.domain_choices()
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            case_study = services.case_study_create(
                by=request.user, organisation=organisation, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your draft has been saved. Send it for review when ready.")
            return redirect(case_study)
    return _form_page(
        request,
        form,
        title="Write a case study",
        caption="Lessons learnt",
        back=reverse("support:case-studies"),
        intro="Share what your organisation did, so others can learn from it. A national "
        "analyst reviews every case study before it is published.",
    )


@require_safe
def case_study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = _case_study_or_404(request, slug)
    user = request.user
    context = _context(
        request,
        cs=case_study,
        tags=list(case_study.tags.all()),
        domain_names=selectors.domain_names(),
        events=list(case_study.events.select_related("by")),
        can_edit=rules.can_edit_case_study(user, case_study),
        can_withdraw=rules.can_withdraw_case_study(user, case_study),
        can_review=rules.can_review_case_studies(user) and case_study.status == "submitted",
        show_history=not case_study.is_published or rules.can_edit_case_study(user, case_study),
    )
    return render(request, "support/case_study.jinja", context)


def _editable_or_404(request: HttpRequest, slug: str) -> CaseStudy:
    case_study = _case_study_or_404(request, slug)
    if not rules.can_edit_case_study(request.user, case_study):
        raise PermissionDenied(
            "Only the organisation's submitters can change a draft or returned case study."
        )
    return case_study


@require_http_methods(["GET", "POST"])
@login_required
def case_study_edit(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = _editable_or_404(request, slug)
    domains = selectors.domain_choices()
    if request.method == "POST":
        form = forms.CaseStudyForm(request.POST, organisations=None, domains=domains)
    else:
        form = forms.CaseStudyForm(
            initial=forms.CaseStudyForm.initial_for(case_study),
            organisations=None,
            domains=domains,
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_study_update(
                by=request.user, case_study=case_study, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The case study has been saved.")
            return redirect(case_study)
    return _form_page(
        request,
        form,
        title="Edit the case study",
        caption=case_study.organisation.name,
        back=case_study.get_absolute_url(),
    )


@require_POST
@login_required
def case_study_submit(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = _editable_or_404(request, slug)
    services.case_study_submit(by=request.user, case_study=case_study)
    messages.success(request, "Sent for review. A national analyst will publish or return it.")
    return redirect(case_study)


@require_POST
@login_required
def case_study_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = _case_study_or_404(request, slug)
    if not rules.can_withdraw_case_study(request.user, case_study):
        raise PermissionDenied("You cannot withdraw this case study.")
    services.case_study_withdraw(by=request.user, case_study=case_study)
    messages.success(request, "The case study is a draft again: it is no longer published.")
    return redirect(case_study)


@require_http_methods(["GET", "POST"])
@login_required
def case_study_review(request: HttpRequest, slug: str) -> HttpResponse:
    if not rules.can_review_case_studies(request.user):
        raise PermissionDenied("Only national analysts review case studies.")
    case_study = _case_study_or_404(request, slug)
    if case_study.status != "submitted":
        messages.info(request, "This case study is not waiting for review.")
        return redirect(case_study)
    form = forms.ReviewForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == "publish":
                services.case_study_publish(by=request.user, case_study=case_study, note=note)
            else:
                services.case_study_return(by=request.user, case_study=case_study, note=note)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Published." if decision == "publish" else "Returned with your comments."
            )
            return redirect("support:case-study-queue")
    context = _context(
        request,
        form=form,
        cs=case_study,
        tags=list(case_study.tags.all()),
        domain_names=selectors.domain_names(),
    )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "support/case_study_review.jinja", context, status=status)


# --- communities --------------------------------------------------------------------------------


def _pillar_or_404(pillar: str) -> str:
    if pillar not in PILLAR_IDS:
        raise Http404("No such pillar")
    return pillar


@require_safe
def communities(request: HttpRequest) -> HttpResponse:
    return render(
        request, "support/communities.jinja", _context(request, rows=selectors.communities())
    )


@require_safe
def community(request: HttpRequest, pillar: str) -> HttpResponse:
    pillar = _pillar_or_404(pillar)
    own_ids = rules.submitter_organisation_ids(request.user)
    own = selectors.organisations(own_ids)
    joined = selectors.member_pillars(own_ids)
    context = _context(
        request,
        pillar=pillar,
        label=PILLAR_LABELS[Pillar(pillar)],
        members=list(selectors.community_members(pillar)),
        case_studies=list(selectors.search_case_studies(selectors.CaseStudyQuery(pillar=pillar))),
        own=[(o, pillar in joined.get(o.pk, set())) for o in own],
    )
    return render(request, "support/community.jinja", context)


def _own_organisation(request: HttpRequest, raw: str):
    if not raw.isdigit():
        raise PermissionDenied("Choose one of your organisations.")
    organisations = selectors.organisations([int(raw)])
    if not organisations or not rules.can_manage_communities(request.user, organisations[0]):
        raise PermissionDenied("Only the organisation's submitters can do this on its behalf.")
    return organisations[0]


@require_POST
@login_required
def community_join(request: HttpRequest, pillar: str) -> HttpResponse:
    pillar = _pillar_or_404(pillar)
    organisation = _own_organisation(request, request.POST.get("organisation", ""))
    services.community_join(by=request.user, organisation=organisation, pillar=pillar)
    messages.success(request, f"{organisation.name} has joined the community.")
    return redirect("support:community", pillar)


@require_POST
@login_required
def community_leave(request: HttpRequest, pillar: str) -> HttpResponse:
    pillar = _pillar_or_404(pillar)
    organisation = _own_organisation(request, request.POST.get("organisation", ""))
    services.community_leave(by=request.user, organisation=organisation, pillar=pillar)
    messages.success(request, f"{organisation.name} has left the community.")
    return redirect("support:community", pillar)


# --- an organisation's partners and contact ------------------------------------------------------


def _organisation_or_404(ods_code: str):
    organisation = selectors.get_organisation(ods_code)
    if organisation is None:
        raise Http404("No such organisation")
    return organisation


@require_safe
@login_required
def organisation_support(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_or_404(ods_code)
    if not rules.can_see_partners(request.user, organisation):
        raise PermissionDenied(
            "Learning partners are shown to the organisation's own people, its ICB's system "
            "leads and national analysts."
        )
    context = _context(
        request,
        organisation=organisation,
        sections=selectors.partner_sections(organisation),
        opt_in=selectors.current_opt_in(organisation),
        can_manage=rules.can_manage_contact(request.user, organisation),
        pillars=sorted(selectors.member_pillars([organisation.pk]).get(organisation.pk, set())),
    )
    return render(request, "support/organisation.jinja", context)


@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_or_404(ods_code)
    if not rules.can_manage_contact(request.user, organisation):
        raise PermissionDenied("Only the organisation's submitters can agree to be contacted.")
    current = selectors.current_opt_in(organisation)
    initial = (
        {
            "contact_name": current.contact_name,
            "contact_email": current.contact_email,
            "topics": current.topics,
        }
        if current
        else {}
    )
    form = forms.ContactForm(_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_opt_in(by=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Peers can now see these contact details.")
            return redirect("support:organisation", organisation.ods_code)
    return _form_page(
        request,
        form,
        title="Agree to be contacted by peers",
        caption=organisation.name,
        back=reverse("support:organisation", args=[organisation.ods_code]),
        intro="Organisations that are suggested to others as learning partners show these "
        "details to signed-in users. You can withdraw at any time.",
    )


@require_POST
@login_required
def contact_withdraw(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_or_404(ods_code)
    if not rules.can_manage_contact(request.user, organisation):
        raise PermissionDenied("Only the organisation's submitters can withdraw this.")
    services.contact_withdraw(by=request.user, organisation=organisation)
    messages.success(request, "Peers will no longer see contact details for your organisation.")
    return redirect("support:organisation", organisation.ods_code)


# --- funding programmes and scenarios (national analysts) --------------------------------------


@require_safe
@analyst_required
def programme_list(request: HttpRequest) -> HttpResponse:
    context = _context(request, programmes=list(selectors.programmes()))
    return render(request, "support/programmes.jinja", context)


def _programme_form(request, programme: FundingProgramme | None) -> forms.ProgrammeForm:
    return forms.ProgrammeForm(
        _bound(request),
        initial=forms.ProgrammeForm.initial_for(programme),
        years=selectors.years_with_pillars() or selectors.published_years(),
        regions=selectors.regions(),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def programme_new(request: HttpRequest) -> HttpResponse:
    form = _programme_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, data=form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The programme has been created. Add a scenario next.")
            return redirect(programme)
    return _form_page(
        request,
        form,
        title="Create a funding programme",
        caption="Funding programmes",
        back=reverse("support:programmes"),
        threshold_note=True,
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    form = _programme_form(request, programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                by=request.user, programme=programme, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved. Its scenarios need solving again.")
            return redirect(programme)
    return _form_page(
        request,
        form,
        title="Edit the funding programme",
        caption=programme.name,
        back=programme.get_absolute_url(),
        threshold_note=True,
    )


@require_safe
@analyst_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    context = _context(
        request,
        programme=programme,
        summary=selectors.programme_summary(programme),
        scenarios=selectors.scenarios_of(programme),
        awards=list(selectors.awards_of(programme)[:50]),
    )
    return render(request, "support/programme.jinja", context)


def _scenario_form_page(request, form, *, title, caption, back):
    return _form_page(
        request,
        form,
        title=title,
        caption=caption,
        back=back,
        hints={"objective": forms.OBJECTIVE_HINTS},
    )


def _save_and_solve(request, save: Callable[[], Scenario]) -> Scenario:
    scenario = save()
    try:
        services.scenario_solve(by=request.user, scenario=scenario)
    except ValidationError as error:
        messages.error(request, "Saved, but it could not be solved: " + " ".join(error.messages))
    else:
        messages.success(request, "Saved and solved.")
    return scenario


@require_http_methods(["GET", "POST"])
@analyst_required
def scenario_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    initial = {"budget_gbp": programme.pot_gbp, "step": ""}
    form = forms.ScenarioForm(_bound(request), initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = _save_and_solve(
                request,
                lambda: services.scenario_create(
                    by=request.user, programme=programme, data=form.data_for_service()
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(scenario)
    return _scenario_form_page(
        request,
        form,
        title="Add a scenario",
        caption=programme.name,
        back=programme.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@analyst_required
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_or_404(pk)
    form = forms.ScenarioForm(
        _bound(request),
        initial=forms.ScenarioForm.initial_for(scenario),
        programme=scenario.programme,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_and_solve(
                request,
                lambda: services.scenario_update(
                    by=request.user, scenario=scenario, data=form.data_for_service()
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(scenario)
    return _scenario_form_page(
        request,
        form,
        title="Edit the scenario",
        caption=scenario.name,
        back=scenario.get_absolute_url(),
    )


@require_POST
@analyst_required
def scenario_solve(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_or_404(pk)
    try:
        services.scenario_solve(by=request.user, scenario=scenario)
    except ValidationError as error:
        messages.error(request, "It could not be solved: " + " ".join(error.messages))
    else:
        messages.success(request, "Solved.")
    return redirect(scenario)


def _scenario_context(request, scenario: Scenario, *, for_pdf: bool = False) -> dict:
    solved = selectors.is_solved(scenario)
    result = scenario.result if solved else None
    return _context(
        request,
        scenario=scenario,
        programme=scenario.programme,
        solved=solved,
        result=result,
        infeasible=scenario.status == "infeasible",
        rows=list(selectors.allocations(scenario)) if solved else [],
        icb_totals=selectors.icb_totals(scenario) if solved else [],
        objectives=OBJECTIVES,
        for_pdf=for_pdf,
    )


@require_safe
@analyst_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_or_404(pk)
    return render(request, "support/scenario.jinja", _scenario_context(request, scenario))


@require_safe
@analyst_required
def scenario_csv(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_or_404(pk)
    if not selectors.is_solved(scenario):
        raise Http404("The scenario has no solution to export")
    rows = selectors.allocations(scenario, funded_only=False)
    response = HttpResponse(
        presenters.allocation_csv(scenario, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.csv"'
    return response


@require_safe
@analyst_required
def scenario_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_or_404(pk)
    if not selectors.is_solved(scenario):
        raise Http404("The scenario has no solution to export")
    html = render_to_string(
        "support/scenario_pdf.jinja", _scenario_context(request, scenario, for_pdf=True), request
    )
    pdf = exports.html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.pdf"'
    return response


@require_safe
@analyst_required
def scenario_compare(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    available = selectors.scenarios_of(programme)
    wanted = {v for v in request.GET.getlist("scenario") if v.isdigit()}
    chosen = [s for s in available if str(s.pk) in wanted] or available[:3]
    comparison = selectors.compare(chosen, money=presenters.money, share=presenters.share)
    context = _context(
        request,
        programme=programme,
        available=available,
        comparison=comparison,
        chosen_ids={s.pk for s in chosen},
    )
    return render(request, "support/compare.jinja", context)


@require_http_methods(["GET", "POST"])
@analyst_required
def award_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    form = forms.AwardForm(_bound(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        organisation = selectors.get_organisation(d["ods_code"])
        scenario = programme.scenarios.filter(pk=d["scenario"]).first() if d["scenario"] else None
        if organisation is None:
            form.add_error("ods_code", "No organisation has that ODS code.")
        else:
            try:
                services.award_record(
                    by=request.user,
                    programme=programme,
                    organisation=organisation,
                    amount_gbp=d["amount_gbp"],
                    awarded_on=d["awarded_on"],
                    purpose=d["purpose"],
                    pillars=d["pillars"],
                    scenario=scenario,
                    source=d["source"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The award to {organisation.name} has been recorded.")
                return redirect(programme)
    return _form_page(
        request,
        form,
        title="Record funding awarded",
        caption=programme.name,
        back=programme.get_absolute_url(),
    )


@require_safe
@analyst_required
def investment(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    context = _context(request, programme=programme, change=selectors.investment_change(programme))
    return render(request, "support/investment.jinja", context)
