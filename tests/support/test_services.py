"""Writes: who may make them, what they store, and the audit record each leaves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maturity.audit.models import AuditRecord
from maturity.support import services
from maturity.support.models import (
    CaseStudyEvent,
    CaseStudyStatus,
    CommunityMembership,
    ContactOptIn,
    Scenario,
    ScenarioAllocation,
    ScenarioStatus,
)

from .conftest import case_study_data, programme_data, scenario_data


def actions(prefix: str = "support.") -> list[str]:
    return list(
        AuditRecord.objects.filter(action__startswith=prefix).values_list("action", flat=True)
    )


# --- programmes and scenarios -------------------------------------------------------------


def test_only_analysts_create_programmes(submitter, analyst):
    with pytest.raises(PermissionDenied):
        services.programme_create(by=submitter, data=programme_data())
    programme = services.programme_create(by=analyst, data=programme_data())
    assert programme.core_thresholds == {"smart_foundations": 3.0, "safe_practice": 3.0}
    assert actions() == ["support.programme.created"]


def test_programme_inputs_are_checked(analyst):
    with pytest.raises(ValidationError) as raised:
        services.programme_create(
            by=analyst,
            data=programme_data(
                name=" ",
                core_thresholds={"smart_foundations": 7},
                target_share=1.5,
                baseline_year=2019,
                care_settings=[],
                target_kinds=["gp_practice"],
                eligible_region_codes=["Y99"],
                max_baseline_overall=9,
            ),
        )
    errors = raised.value.message_dict
    assert set(errors) == {
        "name",
        "core_thresholds",
        "target_share",
        "baseline_year",
        "care_settings",
        "target_kinds",
        "eligible_region_codes",
        "max_baseline_overall",
    }
    assert errors["baseline_year"] == ["No results are published for 2019."]


def test_solving_stores_the_allocation_and_is_audited(scenario, world):
    assert scenario.status == ScenarioStatus.OPTIMAL
    result = scenario.result
    outcome = result["outcome"]
    # Seven trusts; Alpha and Golf are at the core level (Echo's mental health service is not).
    assert outcome["population"] == 7 and outcome["at_target_before"] == 2
    # £3m at £1m (smart foundations) and £0.5m (safe practice) a level: Charlie needs £0.7m,
    # Foxtrot £0.75m, Bravo £1.25m, Echo £0.1m: all four reach it for £2.8m; the £0.2m left
    # buys Delta a fifth of a level in smart foundations (which comes first).
    assert outcome["newly_reached"] == 4
    assert outcome["spend"] == pytest.approx(3_000_000)
    assert result["inputs"]["definition"]["thresholds"] == {
        "smart_foundations": 3.0,
        "safe_practice": 3.0,
    }
    rows = {
        r.organisation.ods_code: r for r in ScenarioAllocation.objects.filter(scenario=scenario)
    }
    assert len(rows) == 7
    assert rows["RA5"].amount_gbp == Decimal(100_000) and rows["RA5"].reaches_target
    assert rows["RA4"].amount_gbp == Decimal(200_000)  # the money left over
    assert rows["RA3"].icb == world.icbs["Q01"]
    assert actions() == [
        "support.programme.created",
        "support.scenario.created",
        "support.scenario.solved",
    ]


def test_expected_realisation_makes_each_level_gained_dearer(analyst, programme):
    # Only half of each funded level is expected to be realised: every need doubles (Charlie
    # £1.4m, Foxtrot £1.5m, Bravo £2.5m, Echo £0.2m), so £3m brings two trusts to the core
    # level, not four.
    scenario = services.scenario_create(
        by=analyst, programme=programme, data=scenario_data(realisation=0.5)
    )
    solved = services.scenario_solve(by=analyst, scenario=scenario)
    assert solved.result["outcome"]["newly_reached"] == 2
    assert solved.result["inputs"]["realisation"] == 0.5
    echo = solved.allocations.get(organisation__ods_code="RA5")
    assert echo.need_gbp == Decimal(200_000)


def test_a_scenario_changed_mid_solve_is_not_stored(analyst, programme, monkeypatch):
    scenario = services.scenario_create(by=analyst, programme=programme, data=scenario_data())
    real = services.planning.solve_scenario

    def solve_then_someone_edits(s):
        solved = real(s)
        services.scenario_update(by=analyst, scenario=s, data=scenario_data(name="Edited"))
        return solved

    monkeypatch.setattr(services.planning, "solve_scenario", solve_then_someone_edits)
    with pytest.raises(ValidationError, match="changed while it was being solved"):
        services.scenario_solve(by=analyst, scenario=scenario)
    assert Scenario.objects.get(pk=scenario.pk).status == ScenarioStatus.NOT_SOLVED


def test_scenario_inputs_are_checked(analyst, programme):
    with pytest.raises(ValidationError) as raised:
        services.scenario_create(
            by=analyst,
            programme=programme,
            data=scenario_data(
                cost_per_level={"smart_foundations": 0},
                population_exponent=3,
                deprivation_weight=-1,
                cap_per_organisation_gbp=Decimal(0),
                step=0.3,
                objective="everything",
                realisation=0,
            ),
        )
    assert set(raised.value.message_dict) == {
        "realisation",
        "cost_smart_foundations",
        "cost_safe_practice",
        "population_exponent",
        "deprivation_weight",
        "cap_per_organisation_gbp",
        "step",
        "objective",
    }


def test_infeasible_floors_are_stored_with_the_reason(analyst, programme):
    scenario = services.scenario_create(
        by=analyst,
        programme=programme,
        data=scenario_data(budget_gbp=Decimal(100_000), icb_floor_gbp=Decimal(100_000)),
    )
    solved = services.scenario_solve(by=analyst, scenario=scenario)
    assert solved.status == ScenarioStatus.INFEASIBLE
    assert "floors add up to £300,000, more than the budget of £100,000" in solved.result["message"]
    assert not ScenarioAllocation.objects.filter(scenario=scenario).exists()


def test_editing_a_programme_marks_its_scenarios_unsolved(analyst, programme, scenario):
    services.programme_update(
        by=analyst, programme=programme, data=programme_data(target_share=0.9)
    )
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.NOT_SOLVED
    assert "support.programme.changed" in actions()


def test_eligibility_rules_keep_money_from_ineligible_trusts(analyst):
    programme = services.programme_create(
        by=analyst, data=programme_data(eligible_region_codes=["Y02"])
    )
    scenario = services.scenario_create(by=analyst, programme=programme, data=scenario_data())
    services.scenario_solve(by=analyst, scenario=scenario)
    funded = {
        r.organisation.ods_code
        for r in ScenarioAllocation.objects.filter(scenario=scenario, amount_gbp__gt=0)
    }
    assert funded == {"RA6"}  # Foxtrot: the only trust short of the core level in Region Two
    assert scenario.allocations.get(organisation__ods_code="RA2").eligible is False


def test_awards_are_recorded_by_analysts_only(analyst, submitter, programme, world):
    kwargs = {
        "programme": programme,
        "organisation": world.trusts["RA2"],
        "amount_gbp": Decimal(1_000_000),
        "awarded_on": dt.date(2025, 9, 1),
        "source": "Award letter",
    }
    with pytest.raises(PermissionDenied):
        services.award_record(by=submitter, **kwargs)
    award = services.award_record(by=analyst, pillars=["smart_foundations"], **kwargs)
    assert award.recorded_by == analyst
    record = AuditRecord.objects.get(action="support.award.recorded")
    assert record.organisation_id == world.trusts["RA2"].pk
    with pytest.raises(ValidationError) as raised:
        services.award_record(by=analyst, **(kwargs | {"amount_gbp": Decimal(0), "source": " "}))
    assert set(raised.value.message_dict) == {"amount_gbp", "source"}


# --- case studies ------------------------------------------------------------------------------


def test_case_study_workflow_draft_review_publish(draft, submitter, analyst):
    assert draft.status == CaseStudyStatus.DRAFT
    assert sorted(draft.tags.values_list("pillar", flat=True)) == [
        "smart_foundations",
        "support_people",
    ]
    services.case_study_submit(by=submitter, case_study=draft)
    returned = services.case_study_return(by=analyst, case_study=draft, note="Add the cost.")
    assert returned.status == CaseStudyStatus.RETURNED
    services.case_study_update(by=submitter, case_study=draft, data=case_study_data(title="New"))
    services.case_study_submit(by=submitter, case_study=draft)
    published = services.case_study_publish(by=analyst, case_study=draft)
    assert published.status == CaseStudyStatus.PUBLISHED
    assert published.published_by == analyst and published.published_at is not None
    events = list(CaseStudyEvent.objects.filter(case_study=draft).values_list("to_status", "note"))
    assert events == [
        ("draft", ""),
        ("submitted", ""),
        ("returned", "Add the cost."),
        ("submitted", ""),
        ("published", ""),
    ]
    assert actions("support.case_study") == [
        "support.case_study.created",
        "support.case_study.submitted",
        "support.case_study.returned",
        "support.case_study.changed",
        "support.case_study.submitted",
        "support.case_study.published",
    ]


def test_only_the_organisations_submitters_write_its_case_studies(
    editions, world, contributor, other_submitter, analyst, submitter
):
    for user in (contributor, other_submitter, analyst):
        with pytest.raises(PermissionDenied):
            services.case_study_create(
                by=user, organisation=world.trusts["RA1"], data=case_study_data()
            )
    draft = services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data()
    )
    with pytest.raises(PermissionDenied):
        services.case_study_update(by=other_submitter, case_study=draft, data=case_study_data())
    with pytest.raises(PermissionDenied):
        services.case_study_submit(by=other_submitter, case_study=draft)


def test_only_analysts_review_and_only_what_waits_for_review(draft, submitter, analyst):
    with pytest.raises(ValidationError, match="waiting for review"):
        services.case_study_publish(by=analyst, case_study=draft)
    services.case_study_submit(by=submitter, case_study=draft)
    with pytest.raises(PermissionDenied):
        services.case_study_publish(by=submitter, case_study=draft)
    with pytest.raises(ValidationError) as raised:
        services.case_study_return(by=analyst, case_study=draft, note="  ")
    assert "note" in raised.value.message_dict


def test_a_published_case_study_cannot_be_edited_until_withdrawn(published, submitter):
    with pytest.raises(PermissionDenied):
        services.case_study_update(by=submitter, case_study=published, data=case_study_data())
    withdrawn = services.case_study_withdraw(by=submitter, case_study=published)
    assert withdrawn.status == CaseStudyStatus.DRAFT and withdrawn.published_at is None
    services.case_study_update(by=submitter, case_study=withdrawn, data=case_study_data())


def test_case_study_content_is_checked(editions, submitter, world):
    with pytest.raises(ValidationError) as raised:
        services.case_study_create(
            by=submitter,
            organisation=world.trusts["RA1"],
            data=case_study_data(
                title="",
                domain_ids=["sf.epr", "xx.nothing"],
                care_setting="space",
                contact_email="",
                cost_gbp=Decimal(-1),
            ),
        )
    errors = raised.value.message_dict
    assert set(errors) == {"title", "domain_ids", "care_setting", "contact_email", "cost_gbp"}
    assert errors["domain_ids"] == ["Not domains of wgll-2025: xx.nothing."]


def test_slugs_are_unique(editions, submitter, world):
    a = services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data()
    )
    b = services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data()
    )
    assert (a.slug, b.slug) == ("paper-free-observations", "paper-free-observations-2")


# --- contact and communities -------------------------------------------------------------------


def test_contact_opt_in_replaces_and_withdraws(submitter, other_submitter, world):
    trust = world.trusts["RA1"]
    with pytest.raises(PermissionDenied):
        services.contact_opt_in(
            by=other_submitter, organisation=trust, contact_name="X", contact_email="x@x.org"
        )
    services.contact_opt_in(
        by=submitter, organisation=trust, contact_name="A", contact_email="a@a.org"
    )
    services.contact_opt_in(
        by=submitter, organisation=trust, contact_name="B", contact_email="b@b.org"
    )
    assert list(
        ContactOptIn.objects.filter(organisation=trust, withdrawn_at__isnull=True).values_list(
            "contact_name", flat=True
        )
    ) == ["B"]
    assert services.contact_withdraw(by=submitter, organisation=trust) == 1
    assert not ContactOptIn.objects.filter(withdrawn_at__isnull=True).exists()
    assert actions("support.contact") == [
        "support.contact.opted_in",
        "support.contact.opted_in",
        "support.contact.withdrawn",
    ]


def test_communities_join_once_and_leave(submitter, contributor, world):
    trust = world.trusts["RA1"]
    with pytest.raises(PermissionDenied):
        services.community_join(by=contributor, organisation=trust, pillar="well_led")
    first = services.community_join(by=submitter, organisation=trust, pillar="well_led")
    again = services.community_join(by=submitter, organisation=trust, pillar="well_led")
    assert first.pk == again.pk
    with pytest.raises(ValidationError):
        services.community_join(by=submitter, organisation=trust, pillar="cricket")
    assert services.community_leave(by=submitter, organisation=trust, pillar="well_led")
    assert not services.community_leave(by=submitter, organisation=trust, pillar="well_led")
    assert CommunityMembership.objects.get().left_by == submitter
    assert actions("support.community") == ["support.community.joined", "support.community.left"]
