"""Reads: who sees which returns, the task list and pages, and completion (reporting rates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from maturity.assessments import selectors, services
from maturity.assessments.models import Cycle, Return
from maturity.organisations.models import Relationship

from .factories import answer_everything, return_of, save

pytestmark = pytest.mark.django_db


def _visible(user) -> set[tuple[str, str]]:
    return set(
        selectors.returns_visible_to(user).values_list("organisation__ods_code", "care_setting")
    )


ICB_RETURNS = {("QNA", "icb"), ("QNA", "primary_care")}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alpha_contributor", {("RA1", "acute"), ("RA1", "community")}),
        ("alpha_submitter", {("RA1", "acute"), ("RA1", "community")}),
        ("beta_contributor", {("RB1", "acute")}),
        ("lead_a", {("RA1", "acute"), ("RA1", "community"), ("RB1", "acute"), *ICB_RETURNS}),
        (
            "north_validator",
            {
                ("RA1", "acute"),
                ("RA1", "community"),
                ("RB1", "acute"),
                ("RC1", "mental_health"),
                *ICB_RETURNS,
                ("QNB", "icb"),
                ("QNB", "primary_care"),
            },
        ),
        ("alpha_reviewer", set()),  # peer review assignments are a separate selector
        ("panel", set()),
        ("nobody", set()),
    ],
)
def test_who_sees_which_returns(cohort, cycle, who, expected):
    assert _visible(getattr(cohort, who)) == expected


def test_national_analysts_see_every_return(cohort, cycle):
    assert selectors.returns_visible_to(cohort.analyst).count() == Return.objects.count() == 11


def test_anonymous_and_inactive_users_see_nothing(cohort, cycle):
    assert _visible(AnonymousUser()) == set()
    cohort.alpha_submitter.is_active = False
    cohort.alpha_submitter.save()
    assert _visible(cohort.alpha_submitter) == set()


def test_a_system_lead_sees_practices_and_providers_two_levels_down(cohort, cycle):
    from .factories import organisation

    sub_icb = organisation("01A", "Sub-ICB A", "sub_icb", cohort.icb_a)
    practice = organisation("P00001", "A Surgery", "gp_practice", sub_icb)
    Return.objects.create(cycle=cycle, organisation=practice, care_setting="primary_care")
    assert ("P00001", "primary_care") in _visible(cohort.lead_a)
    assert ("P00001", "primary_care") in _visible(cohort.north_validator)
    assert ("P00001", "primary_care") not in _visible(cohort.lead_c)


def test_a_trust_that_moved_icb_is_seen_by_its_current_icb(cohort, cycle):
    Relationship.objects.filter(child=cohort.beta).update(valid_to=dt.date(2026, 4, 1))
    Relationship.objects.create(
        child=cohort.beta, parent=cohort.icb_c, valid_from=dt.date(2026, 4, 1), source="test"
    )
    assert ("RB1", "acute") not in _visible(cohort.lead_a)
    assert ("RB1", "acute") in _visible(cohort.lead_c)


def test_get_return_for_is_a_404_outside_ones_view(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    assert selectors.get_return_for(cohort.alpha_contributor, alpha.pk) == alpha
    assert selectors.get_return_for(cohort.lead_a, alpha.pk) == alpha
    for who in ("beta_submitter", "lead_c", "nobody", "panel"):
        with pytest.raises(Http404):
            selectors.get_return_for(getattr(cohort, who), alpha.pk)
    with pytest.raises(Http404):
        selectors.get_return_for(cohort.analyst, 999_999)


def test_what_each_role_may_do(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    assert selectors.can_edit(cohort.alpha_contributor, alpha)
    assert selectors.can_edit(cohort.alpha_submitter, alpha)
    for who in ("analyst", "lead_a", "beta_submitter", "nobody"):
        assert not selectors.can_edit(getattr(cohort, who), alpha)
    assert not selectors.can_commit(cohort.alpha_submitter, alpha)  # not started
    save(alpha, cohort.alpha_contributor, "sf.epr.l1.a", "met")
    alpha.refresh_from_db()
    assert selectors.can_commit(cohort.alpha_submitter, alpha)
    assert not selectors.can_commit(cohort.alpha_contributor, alpha)
    assert selectors.can_unlock(cohort.analyst)
    assert not any(
        selectors.can_unlock(getattr(cohort, w))
        for w in ("alpha_submitter", "lead_a", "north_validator", "panel", "nobody")
    )
    assert selectors.can_manage_cycles(cohort.analyst)
    assert not selectors.can_manage_cycles(cohort.panel)
    Cycle.objects.filter(pk=cycle.pk).update(status="closed")
    alpha = return_of(cycle, cohort.alpha, "acute")
    assert not selectors.can_edit(cohort.alpha_contributor, alpha)
    assert not selectors.can_commit(cohort.alpha_submitter, alpha)


def test_task_list(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    tasks = selectors.return_task_list(alpha)
    assert [p.pillar_id for p in tasks.pillars] == [
        "well_led",
        "smart_foundations",
        "safe_practice",
        "support_people",
        "empower_people",
        "improve_care",
        "healthy_populations",
    ]
    assert tasks.total == 44 and tasks.completed == 0
    assert {d.status for p in tasks.pillars for d in p.domains} == {"not_started"}
    save(alpha, cohort.alpha_contributor, "sf.epr.l1.a", "met")
    save(alpha, cohort.alpha_contributor, "narrative:wl.strategy", "Our strategy")
    tasks = selectors.return_task_list(alpha)
    by_id = {d.domain_id: d for p in tasks.pillars for d in p.domains}
    assert by_id["sf.epr"].status == "in_progress"
    assert by_id["wl.strategy"].status == "in_progress"  # a narrative starts a domain
    assert by_id["sf.epr"].name == "Electronic patient record"
    answer_everything(alpha, cohort.alpha_submitter)
    tasks = selectors.return_task_list(alpha)
    assert tasks.completed == 44 and tasks.contextual_status == "completed"
    assert {d.level for p in tasks.pillars for d in p.domains} == {5}


def test_task_list_queries(cohort, cycle, django_assert_max_num_queries):
    alpha = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha, cohort.alpha_contributor)
    alpha = return_of(cycle, cohort.alpha, "acute")
    with django_assert_max_num_queries(3):  # edition digest, answers, assignments
        selectors.return_task_list(alpha)


def test_domain_page(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    from maturity.frameworks.selectors import get_edition

    level_1 = [c.id for c in get_edition("wgll-2025").domain("sf.epr").level(1).criteria]
    for item in level_1:
        save(alpha, cohort.alpha_contributor, item, "met")
    save(alpha, cohort.alpha_contributor, "narrative:sf.epr", "Live")
    save(alpha, cohort.alpha_contributor, "wl.strategy.l1.a", "met")  # another domain
    services.evidence_add_link(
        by=cohort.alpha_contributor, return_=alpha, domain_id="sf.epr", url="https://x.nhs.uk"
    )
    page = selectors.domain_page_data(alpha, "sf.epr")
    assert page.domain.id == "sf.epr" and page.narrative_id == "narrative:sf.epr"
    assert set(page.answers) == {*level_1, "narrative:sf.epr"}
    assert page.level == 1
    assert set(page.next_level_blockers) >= {c.id for c in page.domain.level(2).criteria}
    assert [e.url for e in page.evidence] == ["https://x.nhs.uk"]
    assert page.assignment is None and page.comments == []
    with pytest.raises(Http404):
        selectors.domain_page_data(return_of(cycle, cohort.delta, "ambulance"), "zz.none")


def test_contextual_page_and_enable_when(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    page = selectors.contextual_page_data(alpha)
    asked = {q.id for q in page.questions}
    assert "ctx.epr_in_place" in asked and page.answers == {}
    dependent = [q for q in page.questions if q.enable_when is not None]
    assert dependent and not any(q.id in page.enabled for q in dependent)
    trigger = dependent[0].enable_when
    save(
        alpha,
        cohort.alpha_contributor,
        trigger.question,
        trigger.answer if not isinstance(trigger.answer, list) else trigger.answer[0],
    )
    page = selectors.contextual_page_data(alpha)
    assert dependent[0].id in page.enabled


def test_missing_items_follow_enable_when(cohort, cycle):
    alpha = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha, cohort.alpha_contributor)
    assert selectors.missing_items(alpha) == []
    # Saying an EPR is in place asks the mandatory questions that depend on it.
    answer = alpha.answers.get(item_id="ctx.epr_in_place")
    services.answer_save(
        by=cohort.alpha_contributor,
        return_=alpha,
        item_id="ctx.epr_in_place",
        value=True,
        expected_version=answer.version,
    )
    missing = selectors.missing_items(alpha)
    assert missing and {m.domain_id for m in missing} == {"contextual"}


# --- Completion ---------------------------------------------------------------------------------


@pytest.fixture
def progress(cohort, cycle):
    """Alpha acute committed; Alpha community and Beta in progress; ICB North A's icb return
    committed; everything else not started."""
    alpha = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha)
    save(return_of(cycle, cohort.alpha, "community"), cohort.alpha_contributor, "sf.epr.l1.a", "na")
    save(return_of(cycle, cohort.beta, "acute"), cohort.beta_contributor, "sf.epr.l1.a", "met")
    from maturity.accounts.models import Role

    from .factories import person

    icb_submitter = person("icb_submitter", cohort.icb_a, Role.SUBMITTER)
    icb = return_of(cycle, cohort.icb_a, "icb")
    answer_everything(icb, icb_submitter)
    services.return_commit(by=icb_submitter, return_=icb)
    return cycle


def _counts(table) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        row.key: (row.not_started, row.in_progress, row.committed, row.late, row.total)
        for row in table.rows
    }


def test_completion_by_region_icb_and_care_setting(cohort, progress):
    table = selectors.completion(progress, user=cohort.analyst)
    assert _counts(table) == {"region:Y61": (4, 2, 2, 0, 8), "region:Y62": (3, 0, 0, 0, 3)}
    assert [r.label for r in table.rows] == ["North", "South"]
    assert table.rows[0].rate == 25.0 and table.rows[0].drill_down == "icb"
    assert (table.total.committed, table.total.total) == (2, 11)

    by_icb = selectors.completion(progress, user=cohort.analyst, group_by="icb")
    assert _counts(by_icb) == {
        "icb:QNA": (1, 2, 2, 0, 5),
        "icb:QNB": (3, 0, 0, 0, 3),
        "icb:QSC": (3, 0, 0, 0, 3),
    }

    by_setting = selectors.completion(progress, user=cohort.analyst, group_by="care_setting")
    assert _counts(by_setting) == {
        "care_setting:acute": (0, 1, 1, 0, 2),
        "care_setting:community": (0, 1, 0, 0, 1),
        "care_setting:mental_health": (1, 0, 0, 0, 1),
        "care_setting:ambulance": (1, 0, 0, 0, 1),
        "care_setting:icb": (2, 0, 1, 0, 3),
        "care_setting:primary_care": (3, 0, 0, 0, 3),
    }
    assert {r.label for r in by_setting.rows} >= {"Acute", "Primary care"}


def test_completion_drills_down(cohort, progress):
    north = selectors.completion(progress, user=cohort.analyst, group_by="icb", within="region:Y61")
    assert _counts(north) == {"icb:QNA": (1, 2, 2, 0, 5), "icb:QNB": (3, 0, 0, 0, 3)}
    assert north.within_label == "North"
    orgs = selectors.completion(
        progress, user=cohort.analyst, group_by="organisation", within="icb:QNA"
    )
    assert _counts(orgs) == {
        "organisation:QNA": (1, 0, 1, 0, 2),
        "organisation:RA1": (0, 1, 1, 0, 2),
        "organisation:RB1": (0, 1, 0, 0, 1),
    }
    assert [r.label for r in orgs.rows] == ["Alpha NHS Trust", "Beta NHS Trust", "ICB North A"]
    # A bare ODS code or care setting works too.
    assert _counts(
        selectors.completion(progress, user=cohort.analyst, group_by="icb", within="Y61")
    ) == _counts(north)
    acute = selectors.completion(
        progress, user=cohort.analyst, group_by="organisation", within="acute"
    )
    assert _counts(acute) == {
        "organisation:RA1": (0, 0, 1, 0, 1),
        "organisation:RB1": (0, 1, 0, 0, 1),
    }
    with pytest.raises(Http404):
        selectors.completion(progress, user=cohort.analyst, group_by="icb", within="ZZZ")


def test_completion_counts_late_returns(cohort, progress):
    services.cycle_close(by=cohort.analyst, cycle=progress)
    table = selectors.completion(progress, user=cohort.analyst, group_by="icb", within="Y61")
    assert _counts(table) == {"icb:QNA": (0, 0, 2, 3, 5), "icb:QNB": (0, 0, 0, 3, 3)}


def test_completion_counts_only_what_the_reader_can_see(cohort, progress):
    table = selectors.completion(progress, user=cohort.lead_a)
    assert _counts(table) == {"region:Y61": (1, 2, 2, 0, 5)}
    assert _counts(selectors.completion(progress, user=cohort.nobody)) == {}
    withdrawn = services.cycle_set_scope(
        by=cohort.analyst,
        cycle=progress,
        organisation_kinds=["trust"],
        care_settings=["acute", "community", "mental_health", "ambulance"],
    )
    assert withdrawn.withdrawn == 6
    assert selectors.completion(progress, user=cohort.analyst).total.total == 5


def test_completion_takes_a_handful_of_queries(cohort, progress, django_assert_max_num_queries):
    for group_by in ("region", "icb", "care_setting", "organisation"):
        with django_assert_max_num_queries(3):  # memberships, counts, labels
            selectors.completion(progress, user=cohort.analyst, group_by=group_by)
