"""Every peer review page: who may see it (anonymous visitors sign in, people without the role
get 403, records outside their scope 404), and the happy paths through the forms."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from maturity.assessments.models import Answer
from maturity.reviews import services
from maturity.reviews.models import (
    DomainReview,
    FundingRound,
    Moderation,
    PeerReviewAssignment,
    ValidationFlag,
)

from .conftest import assignment_of, calibrate, reviewer_for


@dataclass
class State:
    world: object
    assignment: PeerReviewAssignment
    reviewer: object
    outsider_reviewer: object
    flag: ValidationFlag
    moderation: Moderation | None = None


@pytest.fixture
def state(matched) -> State:
    """RA1 reviewed and submitted with a challenge on sf.epr (3 proposed against 4) waiting for
    Alpha's reply; an EPR contradiction on RA1 queried by ICB North A's system lead."""
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    for review in assignment.domain_reviews.all():
        if review.domain_id == "sf.epr":
            services.domain_review_decide(
                by=reviewer,
                review=review,
                decision="challenge",
                proposed_level=3,
                reason="Observations are still on paper in two wards.",
            )
        else:
            services.domain_review_decide(by=reviewer, review=review, decision="agree")
    services.assignment_submit(by=reviewer, assignment=assignment)
    Answer.objects.filter(return_obj=matched.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=False
    )
    services.flags_raise(by=matched.analyst, cycle=matched.cycle)
    flag = ValidationFlag.objects.get(return_obj=matched.returns["RA1"], kind="epr_contradiction")
    services.flag_decide(by=matched.lead_a, flag=flag, decision="query", reason="Which EPR?")
    # RA2 is in RA1's system: its reviewers can never see RA1's return.
    return State(matched, assignment, reviewer, matched.ra2_reviewer, flag)


def _urls(s: State) -> dict[str, str]:
    w = s.world
    a = s.assignment
    return {
        "index": reverse("reviews:index"),
        "assignment": reverse("reviews:assignment", args=[a.pk]),
        "decide": reverse("reviews:decide", args=[a.pk, "sf.cyber"]),
        "submit": reverse("reviews:submit", args=[a.pk]),
        "calibration": reverse("reviews:calibration", args=[w.cycle.pk]),
        "return": reverse("reviews:return", args=[w.returns["RA1"].pk]),
        "reply": reverse("reviews:reply", args=[w.returns["RA1"].pk, "sf.epr"]),
        "query": reverse("reviews:query-reply", args=[s.flag.pk]),
        "validation": reverse("reviews:validation"),
        "flag": reverse("reviews:flag", args=[s.flag.pk]),
        "cycle": reverse("reviews:cycle", args=[w.cycle.pk]),
        "matching": reverse("reviews:matching-run", args=[w.cycle.pk]),
        "blind": reverse("reviews:blind-sample", args=[w.cycle.pk]),
        "flags": reverse("reviews:flags-raise", args=[w.cycle.pk]),
        "publish": reverse("reviews:publish-levels", args=[w.cycle.pk]),
        "reliability": reverse("reviews:reliability", args=[w.cycle.pk]),
        "inflation": reverse("reviews:inflation", args=[w.cycle.pk]),
        "override": reverse("reviews:override", args=[a.pk]),
        "moderation": reverse("reviews:moderation"),
        "funding": reverse("reviews:funding-rounds"),
    }


GET, POST = "get", "post"
# (page, method, who may use it, who gets 403, who gets 404)
MATRIX = [
    ("assignment", GET, "reviewer", "ra1_submitter", "outsider_reviewer"),
    ("decide", GET, "reviewer", "analyst", "outsider_reviewer"),
    ("submit", POST, None, "lead_a", "outsider_reviewer"),
    ("calibration", GET, "reviewer", "ra1_submitter", None),
    ("return", GET, "ra1_submitter", None, "rb1_submitter"),
    ("reply", GET, "ra1_contributor", "analyst", "rb1_submitter"),
    ("query", GET, "ra1_submitter", None, "rb1_submitter"),
    ("validation", GET, "lead_a", "ra1_submitter", None),
    ("flag", GET, "lead_a", "ra1_submitter", "lead_c"),
    ("cycle", GET, "analyst", "lead_a", None),
    ("matching", POST, None, "lead_a", None),
    ("blind", POST, None, "north_validator", None),
    ("flags", POST, None, "lead_a", None),
    ("publish", POST, None, "reviewer", None),
    ("reliability", GET, "analyst", "reviewer", None),
    ("inflation", GET, "analyst", "ra1_submitter", None),
    ("override", GET, "analyst", "lead_a", None),
    ("moderation", GET, "analyst", "north_validator", None),
    ("funding", GET, "analyst", "panel", None),
]


def _user(s: State, name: str | None):
    if name == "reviewer":
        return s.reviewer
    if name == "outsider_reviewer":
        return s.outsider_reviewer
    return s.world.people[name]


@pytest.mark.parametrize(("page", "method", "allowed", "forbidden", "hidden"), MATRIX)
def test_page_permissions(client, state, page, method, allowed, forbidden, hidden):
    url = _urls(state)[page]
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    if allowed:
        client.force_login(_user(state, allowed))
        assert getattr(client, method)(url).status_code == 200
    if forbidden:
        client.force_login(_user(state, forbidden))
        assert getattr(client, method)(url).status_code == 403
    if hidden:
        client.force_login(_user(state, hidden))
        assert getattr(client, method)(url).status_code == 404


def test_a_reviewer_never_sees_a_return_of_their_own_system(client, state):
    # RA2 reviews for another system, but RA1 is in its own: no assignment of RA2 can show it.
    client.force_login(state.outsider_reviewer)
    page = client.get(reverse("reviews:index")).content.decode()
    assert "Alpha NHS Trust" not in page


def test_the_index_lists_each_persons_work(client, state):
    client.force_login(state.reviewer)
    page = client.get(reverse("reviews:index")).content.decode()
    assert "Alpha NHS Trust – Acute" in page
    client.force_login(state.world.ra1_submitter)
    page = client.get(reverse("reviews:index")).content.decode()
    assert "1 challenge to answer" in page
    client.force_login(state.world.nobody)
    page = client.get(reverse("reviews:index")).content.decode()
    assert "You have no peer review or validation work" in page


def test_a_reviewer_decides_a_domain_through_the_form(client, matched):
    assignment = assignment_of(matched, "RB1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    client.force_login(reviewer)
    url = reverse("reviews:decide", args=[assignment.pk, "sf.cyber"])
    page = client.get(url).content.decode()
    assert "Multi-factor authentication is enforced" in page  # the criteria are shown
    response = client.post(url, {"decision": "challenge", "proposed_level": "", "reason": ""})
    assert response.status_code == 400
    assert "Choose the level you propose." in response.content.decode()
    response = client.post(url, {"decision": "challenge", "proposed_level": "1", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for the challenge." in response.content.decode()
    response = client.post(
        url, {"decision": "challenge", "proposed_level": "1", "reason": "No DSPT audit."}
    )
    assert response.status_code == 302
    review = DomainReview.objects.get(assignment=assignment, domain_id="sf.cyber")
    assert (review.decision, review.proposed_level, review.reason) == (
        "challenge",
        1,
        "No DSPT audit.",
    )


def test_an_uncalibrated_reviewer_is_sent_to_the_calibration_cases(client, matched):
    assignment = assignment_of(matched, "RB1")
    client.force_login(reviewer_for(matched, assignment))
    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    assert "Calibrate first" in page
    page = client.get(reverse("reviews:decide", args=[assignment.pk, "sf.cyber"])).content.decode()
    assert "Score the" in page and "Save decision" not in page


def test_calibration_through_the_form(client, world):
    client.force_login(world.rb1_reviewer)
    url = reverse("reviews:calibration", args=[world.cycle.pk])
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"epr-paper-wards": "2", "cyber-no-restore-test": "3"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Your level: <strong>2</strong>. Reference level: 2." in page


def test_the_organisation_replies_through_the_form(client, state):
    client.force_login(state.world.ra1_submitter)
    url = reverse("reviews:reply", args=[state.world.returns["RA1"].pk, "sf.epr"])
    assert "Observations are still on paper" in client.get(url).content.decode()
    response = client.post(url, {"response": "contest", "text": ""})
    assert response.status_code == 400
    response = client.post(url, {"response": "contest", "text": "All wards use devices now."})
    assert response.status_code == 302
    review = DomainReview.objects.get(assignment=state.assignment, domain_id="sf.epr")
    assert review.state == "in_moderation"
    # No longer waiting: the reply page is gone.
    assert client.get(url).status_code == 404


def test_the_return_page_shows_levels_side_by_side_and_open_queries(client, state):
    client.force_login(state.world.ra1_submitter)
    page = client.get(reverse("reviews:return", args=[state.world.returns["RA1"].pk]))
    text = page.content.decode()
    assert "Levels side by side" in text
    assert "Which EPR?" in text  # the open query
    assert "level 4 challenged, level 3 proposed" in text


def test_an_analyst_moderates_through_the_form(client, state):
    review = DomainReview.objects.get(assignment=state.assignment, domain_id="sf.epr")
    services.domain_review_reply(
        by=state.world.ra1_submitter, review=review, response="contest", text="We disagree."
    )
    moderation = Moderation.objects.get(domain_review=review)
    client.force_login(state.world.analyst)
    url = reverse("reviews:moderate", args=[moderation.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"level": "4"}).status_code == 400
    assert client.post(url, {"level": "4", "reason": "Devices seen."}).status_code == 302
    moderation.refresh_from_db()
    assert moderation.decided_level == 4
    client.force_login(state.world.lead_a)
    assert client.get(url).status_code == 403


def test_a_validator_queries_through_the_form(client, state):
    flag = state.flag
    client.force_login(state.world.north_validator)
    url = reverse("reviews:flag", args=[flag.pk])
    assert client.post(url, {"decision": "clear", "reason": ""}).status_code == 400
    assert (
        client.post(url, {"decision": "clear", "reason": "EPR live since 2019."}).status_code == 302
    )
    flag.refresh_from_db()
    assert flag.status == "cleared"
    page = client.get(reverse("reviews:validation") + "?status=cleared").content.decode()
    assert "Alpha NHS Trust" in page


def test_the_organisation_answers_a_query_through_the_form(client, state):
    client.force_login(state.world.ra1_contributor)
    url = reverse("reviews:query-reply", args=[state.flag.pk])
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "System C since 2019."}).status_code == 302
    state.flag.refresh_from_db()
    assert state.flag.reply == "System C since 2019."


def test_analyst_actions_through_the_overview(client, world):
    client.force_login(world.analyst)
    overview = reverse("reviews:cycle", args=[world.cycle.pk])
    response = client.post(
        reverse("reviews:matching-run", args=[world.cycle.pk]), {"max_load": "2"}
    )
    assert response.status_code == 302
    assert PeerReviewAssignment.objects.count() == 4
    page = client.get(overview).content.decode()
    assert "Reviewers and why each was chosen" in page
    assert "a different integrated care system" in page
    client.post(reverse("reviews:blind-sample", args=[world.cycle.pk]), {"share": "50"})
    assert PeerReviewAssignment.objects.filter(kind="blind_second").count() == 2
    client.post(reverse("reviews:flags-raise", args=[world.cycle.pk]))
    client.post(reverse("reviews:publish-levels", args=[world.cycle.pk]))
    response = client.post(
        reverse("reviews:matching-run", args=[world.cycle.pk]), {"max_load": "0"}
    )
    assert response.status_code == 302  # refused with a message, nothing changed
    assert PeerReviewAssignment.objects.count() == 6
    assert (
        client.get(reverse("reviews:inflation", args=[world.cycle.pk]) + "?by=region").status_code
        == 200
    )
    assert client.get(reverse("reviews:reliability", args=[world.cycle.pk])).status_code == 200


def test_an_analyst_overrides_through_the_form(client, matched):
    assignment = assignment_of(matched, "RA1")
    client.force_login(matched.analyst)
    url = reverse("reviews:override", args=[assignment.pk])
    response = client.post(url, {"reviewer": "XX9", "reason": "r"})
    assert "No organisation has the ODS code XX9." in response.content.decode()
    response = client.post(url, {"reviewer": "RA2", "reason": "Nearer in size"})
    assert "another integrated care system" in response.content.decode()
    target = "RB1" if assignment.reviewer_organisation.ods_code != "RB1" else "RC1"
    response = client.post(url, {"reviewer": target.lower(), "reason": "Conflict of interest"})
    assert response.status_code == 302
    assert assignment_of(matched, "RA1").reviewer_organisation.ods_code == target


def test_funding_rounds_through_the_form(client, world):
    client.force_login(world.analyst)
    url = reverse("reviews:funding-rounds")
    response = client.post(url, {"name": "Round 1", "closes_on": "30 June"})
    assert response.status_code == 400
    assert "year-month-day" in response.content.decode()
    assert client.post(url, {"name": "Round 1", "closes_on": "2026-06-30"}).status_code == 302
    assert FundingRound.objects.get().name == "Round 1"


def test_evidence_files_are_served_only_to_the_assigned_reviewer(client, state, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maturity.assessments.models import Evidence

    evidence = Evidence.objects.create(
        return_obj=state.world.returns["RA1"],
        domain_id="sf.epr",
        kind="file",
        file=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"),
        original_name="audit.pdf",
        size=14,
        sha256="0" * 64,
        uploaded_by=state.world.ra1_submitter,
    )
    url = reverse("reviews:evidence", args=[state.assignment.pk, evidence.pk])
    client.force_login(state.reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 audit"
    client.force_login(state.outsider_reviewer)
    assert client.get(url).status_code == 404
    other = assignment_of(state.world, "RB1")
    client.force_login(reviewer_for(state.world, other))
    assert client.get(reverse("reviews:evidence", args=[other.pk, evidence.pk])).status_code == 404


def test_the_open_queries_macro_fits_under_a_care_setting_heading(state):
    # The provisional release page lists each care setting under an h2: queries go at h3.
    from django.template import engines
    from django.template.backends.jinja2 import Jinja2

    engine = next(e for e in engines.all() if isinstance(e, Jinja2))
    template = engine.from_string(
        '{% from "reviews/_open_queries.jinja" import open_queries %}'
        "{{ open_queries(queries, True, 3) }}"
    )
    state.flag.refresh_from_db()
    html = template.render({"queries": [state.flag]})
    assert "<h3>Validation queries to answer</h3>" in html
    assert "Which EPR?" in html and f"/reviews/queries/{state.flag.pk}/" in html
    assert "<h4 " in html


def test_the_provisional_release_shows_how_far_the_peer_review_has_got(client, state):
    from maturity.assessments import services as cycle_services

    world = state.world
    cycle_services.cycle_close(by=world.analyst, cycle=world.cycle)
    cycle_services.provisional_release(by=world.analyst, cycle=world.cycle)
    client.force_login(world.ra1_submitter)
    url = reverse("cycles:organisation-release", args=[world.cycle.pk, "RA1"])
    text = client.get(url).content.decode()
    domains = state.assignment.domain_reviews.count()
    assert "<h3>Peer review</h3>" in text
    # Every domain agreed but sf.epr, which waits for Alpha's reply to the challenge.
    assert f"{domains - 1} of {domains} domains have a settled level" in text
    assert "0 of them different from the self-assessment; 1 is still being discussed" in text
    assert reverse("reviews:return", args=[world.returns["RA1"].pk]) in text
    assert "Which EPR?" in text  # the open query beside the results
    # Before the review is submitted there is nothing to say.
    client.force_login(world.rb1_submitter)
    other = reverse("cycles:organisation-release", args=[world.cycle.pk, "RB1"])
    assert "<h3>Peer review</h3>" not in client.get(other).content.decode()
