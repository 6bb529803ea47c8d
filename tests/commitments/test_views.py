"""Pages: public reading, role-checked writing (sign-in redirect, 403), 404s and happy paths."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maturity.commitments import services
from maturity.commitments.anchors import QUESTIONS
from maturity.commitments.models import (
    Commitment,
    DeadlineRevision,
    Evaluation,
    EvaluationRound,
    GovernmentResponse,
    Metric,
    Observation,
)
from maturity.commitments.seeding import seed_commitments

from .conftest import make_metric

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def plain(response) -> str:
    """The page's words, tags and entities removed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def world(analyst, panel_member, contributor, commitment, metric, open_round):
    """One commitment with a metric, an open round and an evaluation in it."""
    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings={"overall": services.RatingInput("good", "Because.")},
    )
    return {
        "commitment": commitment,
        "metric": metric,
        "round": open_round,
        "evaluation": evaluation,
    }


def analyst_urls(w) -> list[str]:
    c, m, r, e = w["commitment"], w["metric"], w["round"], w["evaluation"]
    return [
        reverse("commitments:new"),
        reverse("commitments:import"),
        reverse("commitments:round-new"),
        reverse("commitments:round-response", args=[r.pk]),
        reverse("commitments:evaluation-response", args=[e.pk]),
        reverse("commitments:edit", args=[c.slug]),
        reverse("commitments:deadline-new", args=[c.slug]),
        reverse("commitments:metric-new", args=[c.slug]),
        reverse("commitments:metric-edit", args=[c.slug, m.slug]),
        reverse("commitments:observation-new", args=[c.slug, m.slug]),
    ]


def panel_urls(w) -> list[str]:
    return [reverse("commitments:evaluate", args=[w["commitment"].slug, w["round"].pk])]


def public_urls(w) -> list[str]:
    return [
        reverse("commitments:index"),
        reverse("commitments:detail", args=[w["commitment"].slug]),
        reverse("commitments:summary"),
        reverse("commitments:summary") + f"?round={w['round'].pk}",
        reverse("commitments:summary-csv"),
        reverse("commitments:summary-pdf") + f"?round={w['round'].pk}",
    ]


# --- permissions for every view ------------------------------------------------------------------


def test_public_pages_need_no_sign_in(client, world):
    for url in public_urls(world):
        assert client.get(url).status_code == 200, url


def test_public_pages_refuse_writes(client, world):
    for url in public_urls(world):
        assert client.post(url).status_code == 405, url


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    close = reverse("commitments:round-close", args=[world["round"].pk])
    for url in analyst_urls(world) + panel_urls(world):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/sign-in/?next="), url
    assert client.post(close)["Location"].startswith("/accounts/sign-in/")
    assert EvaluationRound.objects.get().is_open


def test_people_without_the_role_are_refused(client, world, contributor, panel_member, analyst):
    close = reverse("commitments:round-close", args=[world["round"].pk])
    before = Commitment.objects.count(), Observation.objects.count()
    for user, urls in (
        (contributor, analyst_urls(world) + panel_urls(world)),
        (panel_member, analyst_urls(world)),
        (analyst, panel_urls(world)),
    ):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"title": "x"}).status_code == 403, (user, url)
    client.force_login(panel_member)
    assert client.post(close).status_code == 403
    assert EvaluationRound.objects.get().is_open
    assert (Commitment.objects.count(), Observation.objects.count()) == before


def test_each_role_reaches_its_forms(client, world, analyst, panel_member):
    client.force_login(analyst)
    for url in analyst_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text(response).count("<h1") == 1
    client.force_login(panel_member)
    for url in panel_urls(world):
        assert client.get(url).status_code == 200


def test_round_close_needs_post(client, world, analyst):
    client.force_login(analyst)
    assert (
        client.get(reverse("commitments:round-close", args=[world["round"].pk])).status_code == 405
    )


def test_not_found(client, world, analyst, panel_member):
    c, r = world["commitment"], world["round"]
    assert client.get(reverse("commitments:detail", args=["no-such"])).status_code == 404
    assert client.get(reverse("commitments:summary") + "?round=9999").status_code == 404
    assert client.get(reverse("commitments:summary") + "?round=abc").status_code == 404
    assert client.get(reverse("commitments:summary-csv") + "?round=9999").status_code == 404
    assert client.get(reverse("commitments:summary-pdf") + "?round=9999").status_code == 404
    assert client.get(reverse("commitments:summary-pdf") + "?round=abc").status_code == 404
    client.force_login(analyst)
    for url in (
        reverse("commitments:edit", args=["no-such"]),
        reverse("commitments:deadline-new", args=["no-such"]),
        reverse("commitments:metric-new", args=["no-such"]),
        reverse("commitments:metric-edit", args=[c.slug, "no-such"]),
        reverse("commitments:observation-new", args=[c.slug, "no-such"]),
        reverse("commitments:round-response", args=[9999]),
        reverse("commitments:evaluation-response", args=[9999]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("commitments:round-close", args=[9999])).status_code == 404
    client.force_login(panel_member)
    assert client.get(reverse("commitments:evaluate", args=["no-such", r.pk])).status_code == 404
    assert client.get(reverse("commitments:evaluate", args=[c.slug, 9999])).status_code == 404


def test_action_links_show_only_for_the_role(client, world, analyst, panel_member):
    detail = reverse("commitments:detail", args=[world["commitment"].slug])
    edit = reverse("commitments:edit", args=[world["commitment"].slug])
    evaluate = panel_urls(world)[0]
    page = text(client.get(detail))
    assert edit not in page and evaluate not in page
    client.force_login(analyst)
    page = text(client.get(detail))
    assert edit in page and evaluate not in page
    client.force_login(panel_member)
    page = text(client.get(detail))
    assert edit not in page and evaluate in page


# --- analysts' forms ---------------------------------------------------------------------------


def test_add_a_commitment(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("commitments:new"),
        {
            "title": "NHS App",
            "slug": "nhs-app",
            "text": "75% of adults.",
            "policy_area": "care",
            "source_document": "Plan",
            "source_date": "29/06/2022",
            "citation": "HTN",
            "original_deadline": "2024-12-31",
            "domain_ids": "ep.nhs_app, ep.record_access",
            "question_ids": "ctx.nhs_app_integrated",
            "funding_committed_gbp": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/commitments/nhs-app/"
    commitment = Commitment.objects.get(slug="nhs-app")
    assert commitment.domain_ids == ["ep.nhs_app", "ep.record_access"]
    assert commitment.source_date == dt.date(2022, 6, 29)


def test_add_a_commitment_with_errors_shows_them(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("commitments:new"),
        {
            "title": "",
            "slug": "Bad Slug",
            "text": "t",
            "policy_area": "care",
            "source_document": "d",
            "citation": "c",
            "source_date": "31/02/2024",
            "domain_ids": "sf.unknown",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert 'href="#id_title"' in page and 'href="#id_slug"' in page
    assert "Enter a real date" in page
    assert Commitment.objects.count() == 0
    response = client.post(
        reverse("commitments:new"),
        {
            "title": "T",
            "slug": "good-slug",
            "text": "t",
            "policy_area": "care",
            "source_document": "d",
            "citation": "c",
            "domain_ids": "sf.unknown",
        },
    )
    assert response.status_code == 400
    assert "sf.unknown: not a domain of wgll-2025" in text(response)


def test_edit_a_commitment(client, analyst, world):
    client.force_login(analyst)
    url = reverse("commitments:edit", args=[world["commitment"].slug])
    form = client.get(url)
    assert 'value="epr-all-trusts"' in text(form)
    assert "sf.epr" in text(form)
    response = client.post(
        url,
        {
            "title": "Renamed",
            "slug": "epr-all-trusts",
            "text": "t",
            "policy_area": "workforce",
            "source_document": "d",
            "citation": "c",
            "domain_ids": "sf.epr",
        },
    )
    assert response.status_code == 302
    assert Commitment.objects.get().title == "Renamed"


def test_record_a_revised_deadline(client, analyst, world):
    client.force_login(analyst)
    url = reverse("commitments:deadline-new", args=[world["commitment"].slug])
    assert client.post(url, {"new_deadline": "2027-03-31", "source": ""}).status_code == 400
    response = client.post(
        url,
        {
            "new_deadline": "2027-03-31",
            "new_deadline_label": "March 2027",
            "recorded_on": "2026-01-05",
            "source": "PQ 1",
        },
    )
    assert response.status_code == 302
    assert DeadlineRevision.objects.get().new_deadline == dt.date(2027, 3, 31)
    page = text(client.get(reverse("commitments:detail", args=[world["commitment"].slug])))
    assert "March 2027 (current)" in page and "Revised: 5 January 2026" in page


def test_add_and_edit_a_metric(client, analyst, world):
    client.force_login(analyst)
    slug = world["commitment"].slug
    response = client.post(
        reverse("commitments:metric-new", args=[slug]),
        {
            "name": "Beds",
            "slug": "beds",
            "unit": "beds",
            "direction": "increase",
            "minimum": "0",
            "derivation": "virtual_ward_capacity",
        },
    )
    assert response.status_code == 302
    assert Metric.objects.get(slug="beds").derivation == "virtual_ward_capacity"
    url = reverse("commitments:metric-edit", args=[slug, "beds"])
    assert 'value="beds"' in text(client.get(url))
    response = client.post(
        url,
        {
            "name": "Beds",
            "slug": "beds",
            "unit": "beds",
            "direction": "increase",
            "target_value": "50",
        },
    )
    assert response.status_code == 400
    assert "Say where the target comes from" in text(response)
    response = client.post(
        url,
        {
            "name": "Beds",
            "slug": "beds",
            "unit": "beds",
            "direction": "increase",
            "is_primary": "on",
        },
    )
    assert response.status_code == 302
    assert Metric.objects.get(slug="beds").is_primary


def test_add_an_observation(client, analyst, world):
    client.force_login(analyst)
    c, m = world["commitment"], world["metric"]
    url = reverse("commitments:observation-new", args=[c.slug, m.slug])
    response = client.post(url, {"observed_on": "2024-03-31", "value": "101", "source": "S"})
    assert response.status_code == 400
    assert "cannot be above 100" in text(response)
    response = client.post(url, {"observed_on": "2024-03-31", "value": "91.5", "source": "S"})
    assert response.status_code == 302
    assert Observation.objects.get().value == 91.5


def test_import_page(client, analyst, world):
    client.force_login(analyst)
    url = reverse("commitments:import")
    good = SimpleUploadedFile(
        "obs.csv",
        b"commitment,metric,date,value,source\nepr-all-trusts,trusts-with-epr,2024-01-31,90,S\n",
        content_type="text/csv",
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert Observation.objects.count() == 1
    bad = SimpleUploadedFile(
        "obs.csv",
        b"commitment,metric,date,value,source\nepr-all-trusts,trusts-with-epr,"
        b"2024-02-31,90,S\nnope,x,2024-01-01,1,S\n",
        content_type="text/csv",
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was imported" in page
    assert '<td class="nhsuk-table__cell">2</td> <td class="nhsuk-table__cell">date</td>' in page
    assert (
        '<td class="nhsuk-table__cell">3</td> <td class="nhsuk-table__cell">commitment</td>' in page
    )
    assert Observation.objects.count() == 1
    assert client.post(url, {}).status_code == 400


def test_open_and_close_a_round_and_record_responses(client, analyst, world):
    client.force_login(analyst)
    response = client.post(
        reverse("commitments:round-new"),
        {"name": "2027 round", "held_on": "2027-02-01", "panel": "A, B"},
    )
    assert response.status_code == 302
    new = EvaluationRound.objects.get(name="2027 round")
    assert new.is_open and new.created_by == analyst
    assert client.post(reverse("commitments:round-new"), {"name": "x"}).status_code == 400
    response = client.post(reverse("commitments:round-close", args=[new.pk]))
    assert response.status_code == 302
    new.refresh_from_db()
    assert not new.is_open
    url = reverse("commitments:round-response", args=[world["round"].pk])
    response = client.post(url, {"responded_on": "2026-07-01", "text": "Noted.", "source": "HC 2"})
    assert response.status_code == 302
    url = reverse("commitments:evaluation-response", args=[world["evaluation"].pk])
    response = client.post(
        url, {"responded_on": "2026-07-02", "text": "We disagree.", "source": "HC 3"}
    )
    assert response.status_code == 302
    assert GovernmentResponse.objects.count() == 2
    page = text(client.get(reverse("commitments:detail", args=[world["commitment"].slug])))
    assert "We disagree." in page and "Noted." in page and "to the round as a whole" in page
    response = client.post(url, {"responded_on": "2020-01-01", "text": "t", "source": "s"})
    assert response.status_code == 400


# --- the panel's form ---------------------------------------------------------------------------


def test_rating_form_shows_each_anchor_beside_its_choice(client, panel_member, world):
    client.force_login(panel_member)
    page = text(client.get(panel_urls(world)[0]))
    for question in QUESTIONS:
        for rating, anchor in question.anchors.items():
            # The anchor is the hint of that choice's radio button.
            assert re.search(
                rf'id="id_{question.key}[-0-9]*" name="{question.key}" type="radio" '
                rf'value="{rating}" aria-describedby="(id_{question.key}[-0-9]*-item-hint)"\s*>'
                rf'.*?id="\1"\s*>\s*{re.escape(anchor)}',
                page,
            ), (question.key, rating)
    assert "Not known" in page
    assert "The tracker's suggestion for met or on track" in page


def test_panel_confirms_and_overrides(client, analyst, panel_member, world):
    c, m = world["commitment"], world["metric"]
    # Target met after the deadline: the suggestion is Good.
    services.deadline_revise(by=analyst, commitment=c, new_deadline=dt.date(2023, 1, 1), source="S")
    services.observation_add(
        by=analyst, metric=m, observed_on=dt.date(2024, 1, 1), value=100.0, source="S"
    )
    client.force_login(panel_member)
    url = panel_urls(world)[0]
    form = text(client.get(url))
    assert 'name="suggestion_seen" value="good"' in form
    base = {q.key: "unknown" for q in QUESTIONS} | {"suggestion_seen": "good"}
    response = client.post(
        url, base | {"met_or_on_track": "outstanding", "met_or_on_track_rationale": "Met."}
    )
    assert response.status_code == 400
    assert "give the reason for overriding it" in text(response)
    response = client.post(
        url,
        base
        | {
            "met_or_on_track": "outstanding",
            "met_or_on_track_rationale": "Met.",
            "override_reason": "Weeks late only.",
        },
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(round=world["round"])
    assert (evaluation.met_or_on_track, evaluation.suggestion_decision) == (
        "outstanding",
        "overridden",
    )
    response = client.post(
        url, base | {"met_or_on_track": "good", "met_or_on_track_rationale": "Late."}
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.suggestion_decision == "confirmed" and evaluation.override_reason == ""
    # The form was shown before new evidence changed the suggestion.
    response = client.post(
        url,
        base
        | {"suggestion_seen": "", "met_or_on_track": "good", "met_or_on_track_rationale": "Late."},
    )
    assert response.status_code == 400
    assert "suggested rating changed" in text(response)
    assert 'name="suggestion_seen" value="good"' in text(response)
    assert client.post(url, {}).status_code == 400


def test_closed_round_cannot_be_rated(client, analyst, panel_member, world):
    services.round_close(by=analyst, evaluation_round=world["round"])
    client.force_login(panel_member)
    assert client.get(panel_urls(world)[0]).status_code == 403


# --- public pages with the seeded commitments ----------------------------------------------------


@pytest.fixture
def seeded(db):
    seed_commitments()
    services.derive_observations()


def test_index_lists_commitments_by_area(client, seeded):
    page = text(client.get(reverse("commitments:index")))
    areas = [m for m in re.findall(r'<h2 id="area-([a-z_]+)"', page)]
    assert areas == ["care", "population_health", "cost_efficiency", "workforce"]
    assert "NHS App used by 75% of adults" in page
    assert "March 2026 (revised)" in page


def test_commitment_page(client, seeded):
    response = client.get(reverse("commitments:detail", args=["epr-in-all-trusts"]))
    page = text(response)
    assert page.count("<h1") == 1
    assert 'role="img"' in page and "<table" in page
    assert "NHS trusts with an electronic patient record rose from 86%" in page
    assert "90.4%" in page and "189 of 209 trusts" in page
    assert "March 2025" in page and "March 2026 (current)" in page
    assert "Requires improvement" in page  # the suggestion: half way, deadline passed
    assert "ITPro; UKAuthority" in page
    assert " style=" not in page and "<style" not in page


def test_commitment_page_ratings_history(client, seeded):
    page = plain(client.get(reverse("commitments:detail", args=["digital-workforce-strategy"])))
    assert "Evaluation of Government commitments made on the digitisation of the NHS" in page
    assert "Rated before the tracker existed" in page
    assert 'HEFMA "Government progress on NHS digitisation rated inadequate"' in page
    assert 'did "not recognise"' in page


def test_summary_page_and_csv(client, seeded):
    main = EvaluationRound.objects.get(held_on=dt.date(2023, 2, 17))
    page = text(client.get(reverse("commitments:summary") + f"?round={main.pk}"))
    assert page.count("Inadequate") >= 4
    assert "Care of patients and people receiving social care" in page
    assert f"?round={main.pk}" in page
    response = client.get(reverse("commitments:summary-csv") + f"?round={main.pk}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="commitment-ratings-2023-02-17.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 9
    strategy = next(r for r in rows if r["commitment_id"] == "digital-workforce-strategy")
    assert (strategy["appropriate"], strategy["funded"], strategy["overall"]) == (
        "good",
        "requires_improvement",
        "inadequate",
    )
    app = next(r for r in rows if r["commitment_id"] == "nhs-app-75-percent")
    assert app["met_or_on_track"] == ""  # not known


def test_summary_without_rounds(client, db):
    assert "No evaluation round has ratings yet" in text(client.get(reverse("commitments:summary")))
    response = client.get(reverse("commitments:summary-csv"))
    assert response.content.decode().startswith("round,round_date")


def test_every_seeded_commitment_page_renders(client, seeded):
    for slug in Commitment.objects.values_list("slug", flat=True):
        response = client.get(reverse("commitments:detail", args=[slug]))
        assert response.status_code == 200, slug
        assert " style=" not in response.content.decode()


def test_metric_without_observations_page(client, analyst, commitment):
    make_metric(analyst, commitment, baseline_value=None, baseline_date=None, baseline_source="")
    page = text(client.get(reverse("commitments:detail", args=[commitment.slug])))
    assert "There are no observations of this metric yet." in page
