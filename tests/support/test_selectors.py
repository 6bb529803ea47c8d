"""Reads: needs-support lists, learning partners, investment and change, comparison, search."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from maturity.support import presenters, selectors, services
from maturity.support.selectors import CaseStudyQuery

from .conftest import case_study_data, scenario_data


def test_needs_report_for_england_and_areas(world):
    report = selectors.needs_report()
    assert (report.year, report.previous_year) == (2025, 2024)
    assert report.population == 7
    # Alpha and Golf are at the core level; Echo is not (its mental health service is short).
    assert {report.contexts[k].organisation.ods_code for k in report.at_core} == {"RA1", "RA7"}
    furthest = [i.context.organisation.ods_code for i in report.furthest]
    assert furthest == ["RA4", "RA2", "RA3", "RA6", "RA5"]
    delta = report.furthest[0]
    assert [(g.pillar, g.gap) for g in delta.gaps] == [
        ("smart_foundations", 1.5),
        ("safe_practice", 1.5),
    ]
    # Echo's mental health service fell from 3.0 to 2.9 too.
    assert [
        (i.context.organisation.ods_code, i.care_setting, round(i.change, 2))
        for i in report.falling
    ] == [("RA2", "acute", -0.4), ("RA4", "acute", -0.1), ("RA5", "mental_health", -0.1)]
    (peer,) = report.peers
    assert peer.context.organisation.ods_code == "RA4" and peer.size_band == "all sizes"

    one = report.within(world.icbs["Q01"])
    assert one.population == 3
    assert [i.context.organisation.ods_code for i in one.furthest] == ["RA2", "RA3"]
    region_two = report.within(world.regions["Y02"])
    assert [i.context.organisation.ods_code for i in region_two.furthest] == ["RA6"]
    assert region_two.falling == [] and region_two.peers == []


def test_needs_index_counts_each_region_and_icb(world):
    index = selectors.needs_index(selectors.needs_report())
    (one, icbs_one), (two, icbs_two) = index
    assert one.area.ods_code == "Y01" and one.population == 5 and one.falling == 3
    assert [(c.area.ods_code, c.furthest) for c in icbs_one] == [("Q01", 2), ("Q02", 2)]
    assert two.population == 2 and two.at_core == 1


def test_partners_fall_back_to_published_pillars(world):
    (section,) = selectors.partner_sections(world.trusts["RA4"])
    assert section.source == "published" and section.care_setting == "acute"
    # Delta's weakest pillars: smart foundations and safe practice (1.5), then support people.
    assert [label for label, _ in section.weakest][:2] == [
        "Ensure smart foundations",
        "Safe practice",
    ]
    # At least a point stronger in a weakest pillar, and within twice Delta's catchment of
    # 250,000 (Echo, 600,000, is not); stronger in more pillars, then by more, first.
    keys = [s.partner.key for s in section.suggestions]
    assert keys == ["RA1", "RA7", "RA6", "RA3", "RA2"]
    assert [x.item for x in section.suggestions[0].stronger] == [
        "smart_foundations",
        "safe_practice",
    ]
    assert "size not known for both, so not compared" in section.suggestions[2].reasons


def test_partners_use_demonstration_domain_levels_when_there_are_some(world, editions):
    from maturity.assessments.services import generate_demonstration_returns

    generate_demonstration_returns()
    sections = selectors.partner_sections(world.trusts["RA5"])
    assert [s.care_setting for s in sections] == ["acute", "mental_health"]
    acute = sections[0]
    assert acute.source == "demonstration"
    assert "generated data" in acute.source_words
    assert all("." not in label for label, _ in acute.weakest)  # domain names, not ids


def test_opted_in_partners_show_their_contact(world, submitter):
    services.contact_opt_in(
        by=submitter, organisation=world.trusts["RA1"], contact_name="A", contact_email="a@a.org"
    )
    (section,) = selectors.partner_sections(world.trusts["RA4"])
    assert set(section.opt_ins) == {"RA1"}


def test_investment_and_change(world, analyst):
    programme = services.programme_create(
        by=analyst,
        data=services.ProgrammeData(
            name="Earlier",
            pot_gbp=Decimal(10_000_000),
            deadline=dt.date(2024, 9, 30),
            target_date=dt.date(2025, 6, 30),
            target_share=0.7,
            baseline_year=2024,
            core_thresholds={"smart_foundations": 3.0},
            care_settings=["acute"],
        ),
    )
    for ods, amount in (("RA2", 1), ("RA3", 2), ("RA4", 3)):
        services.award_record(
            by=analyst,
            programme=programme,
            organisation=world.trusts[ods],
            amount_gbp=Decimal(amount * 1_000_000),
            awarded_on=dt.date(2024, 9, 1),
            source="Test",
        )
    change = selectors.investment_change(programme)
    assert (change.baseline_year, change.later_year) == (2024, 2025)
    rows = {r.organisation.ods_code: r for r in change.rows}
    assert rows["RA3"].change == pytest.approx(0.1)
    assert rows["RA3"].core_before is None  # 2024 results have no pillar scores
    assert rows["RA3"].core_after is False
    # Changes -0.4, +0.1, -0.1 against £1m, £2m, £3m: slope = 0.15 per £1m.
    assert change.funded_mean_change == pytest.approx(-0.4 / 3)
    assert change.slope_per_million == pytest.approx(0.15)
    assert change.unfunded_count == 4


def test_investment_before_any_later_results(world, analyst, programme):
    services.award_record(
        by=analyst,
        programme=programme,
        organisation=world.trusts["RA2"],
        amount_gbp=Decimal(1_000_000),
        awarded_on=dt.date(2026, 1, 1),
        source="Test",
    )
    change = selectors.investment_change(programme)
    assert change.later_year is None
    assert change.rows[0].change is None and change.slope_per_million is None


def test_comparison_side_by_side(analyst, programme, scenario):
    other = services.scenario_create(
        by=analyst,
        programme=programme,
        data=scenario_data(name="Half", budget_gbp=Decimal(1_500_000)),
    )
    services.scenario_solve(by=analyst, scenario=other)
    other.refresh_from_db()
    unsolved = services.scenario_create(
        by=analyst, programme=programme, data=scenario_data(name="New")
    )
    comparison = selectors.compare(
        [scenario, other, unsolved], money=presenters.money, share=presenters.share
    )
    rows = dict(comparison.rows)
    assert rows["Budget"] == ["£3,000,000", "£1,500,000", "Not solved"]
    assert rows["Newly at the core level"][:2] == ["4", "2"]
    icb_rows = dict(comparison.icb_rows)
    assert sum(icb_rows["NHS One ICB"]) > 0 and icb_rows["NHS One ICB"][2] == 0.0


def test_case_study_search_by_each_filter(editions, world, submitter, other_submitter, analyst):
    def publish(by, org, **data):
        cs = services.case_study_create(by=by, organisation=org, data=case_study_data(**data))
        services.case_study_submit(by=by, case_study=cs)
        return services.case_study_publish(by=analyst, case_study=cs)

    a = publish(submitter, world.trusts["RA1"])
    b = publish(
        other_submitter,
        world.trusts["RA2"],
        title="Cyber drill",
        summary="Recovery rehearsal.",
        what_we_did="A board exercise.",
        domain_ids=["sf.cyber", "wl.leadership"],
        care_setting="community",
        supplier="",
    )
    services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data()
    )

    def found(**query):
        return [cs.slug for cs in selectors.search_case_studies(CaseStudyQuery(**query))]

    assert sorted(found()) == sorted([a.slug, b.slug])  # the draft is not found
    assert found(text="board exercise") == [b.slug]
    assert found(text="Bravo") == [b.slug]  # organisation name
    assert found(pillar="well_led") == [b.slug]
    assert found(domain="sf.epr") == [a.slug]
    assert found(care_setting="community") == [b.slug]
    assert found(supplier="acme") == [a.slug]
    assert found(text="nothing-like-this") == []


def test_communities_count_members_and_published_case_studies(published, submitter, world):
    services.community_join(by=submitter, organisation=world.trusts["RA1"], pillar="support_people")
    rows = {r.pillar: r for r in selectors.communities()}
    assert (rows["support_people"].members, rows["support_people"].case_studies) == (1, 1)
    assert (rows["smart_foundations"].members, rows["smart_foundations"].case_studies) == (0, 1)
    assert rows["well_led"].case_studies == 0
