"""PDF from the page's HTML, the fetcher that keeps it to static files, and the commands."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from maturity.accounts.models import Role
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.support import exports
from maturity.support.models import (
    CaseStudy,
    CaseStudyStatus,
    CommunityMembership,
    ContactOptIn,
    FundingAward,
    FundingProgramme,
    Scenario,
    ScenarioStatus,
)

from .conftest import PASSWORD


@pytest.mark.slow
def test_scenario_pdf_is_made_from_the_page(client, analyst, scenario):
    client.force_login(analyst)
    response = client.get(f"/support/scenarios/{scenario.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000


def test_pdf_rendering_reads_only_static_files():
    body, media_type = exports.static_file("http://testserver/static/support/print.css")
    assert b"@page" in body and media_type == "text/css"
    for url in (
        "http://example.org/static/../../etc/passwd",
        "http://testserver/static/support/../../../../../etc/passwd",
        "file:///etc/passwd",
        "http://testserver/media/upload.css",
        "http://testserver/static/support/nothing.css",
    ):
        with pytest.raises(exports.FetchRefused):
            exports.static_file(url)


@pytest.fixture
def demo_world(world, editions):
    """The world, with the organisations the demonstration case studies name."""
    for code in ("RD1", "RRV", "R0B", "RTH"):
        Organisation.objects.create(
            ods_code=code, name=f"Trust {code}", kind=OrganisationKind.TRUST, source="test"
        )
    return world


@pytest.mark.slow
def test_demo_seed_builds_labelled_data_once(demo_world, client, capsys):
    call_command("seed_support_demo")
    assert "Added 2 programme(s), 3 scenario(s)" in capsys.readouterr().out
    programmes = FundingProgramme.objects.all()
    assert programmes.count() == 2 and all(p.is_demonstration for p in programmes)
    assert Scenario.objects.filter(is_demonstration=True).count() == 3
    assert set(Scenario.objects.values_list("status", flat=True)) <= {
        ScenarioStatus.OPTIMAL,
        ScenarioStatus.FEASIBLE,
        ScenarioStatus.INFEASIBLE,
    }
    assert FundingAward.objects.exists()
    assert not FundingAward.objects.filter(is_demonstration=False).exists()
    studies = CaseStudy.objects.all()
    assert studies.count() == 4 and all(cs.is_demonstration for cs in studies)
    assert studies.filter(status=CaseStudyStatus.PUBLISHED).count() == 3
    assert studies.filter(status=CaseStudyStatus.SUBMITTED).count() == 1
    assert all(o.contact_email.endswith("@example.org") for o in ContactOptIn.objects.all())
    counts = (
        FundingAward.objects.count(),
        CaseStudy.objects.count(),
        CommunityMembership.objects.count(),
        ContactOptIn.objects.count(),
    )
    # Case studies are written by demonstration submitters who cannot sign in.
    author = studies.first().created_by
    assert author.username.startswith("demo-author-") and not author.has_usable_password()
    assert not client.login(username=author.username, password=PASSWORD)
    assert set(author.memberships.values_list("role", flat=True)) == {Role.SUBMITTER}
    call_command("seed_support_demo")
    assert "Added 0 programme(s), 0 scenario(s), 0 award(s), 0 case stud(ies)" in (
        capsys.readouterr().out
    )
    assert counts == (
        FundingAward.objects.count(),
        CaseStudy.objects.count(),
        CommunityMembership.objects.count(),
        ContactOptIn.objects.count(),
    )


def test_demo_seed_needs_published_results(db, editions):
    Organisation.objects.create(
        ods_code="E92000001", name="England", kind=OrganisationKind.NATION, source="test"
    )
    with pytest.raises(CommandError, match="No 2025 published results"):
        call_command("seed_support_demo")


def test_solve_scenarios_command(scenario, analyst, submitter, capsys):
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.NOT_SOLVED)
    call_command("solve_scenarios", "--as", "analyst")
    assert "Core level by 2026 / Most trusts: Optimal, 4 more at the core level" in (
        capsys.readouterr().out
    )
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.OPTIMAL
    with pytest.raises(CommandError, match="not a national analyst"):
        call_command("solve_scenarios", "--as", "submitter")
    with pytest.raises(CommandError, match="No user"):
        call_command("solve_scenarios", "--as", "nobody")
    with pytest.raises(CommandError, match="No scenario 999"):
        call_command("solve_scenarios", "--as", "analyst", "--scenario", "999")
    with pytest.raises(CommandError, match="No funding programme 999"):
        call_command("solve_scenarios", "--as", "analyst", "--programme", "999")
