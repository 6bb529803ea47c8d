from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_index_lists_editions_with_status_and_model(client, synced):
    response = client.get(reverse("frameworks:index"))
    assert response.status_code == 200
    page = _text(response)
    assert "What Good Looks Like digital maturity assessment 2025" in page
    assert "Cumulative levels 1 to 5" in page and "Stages with thresholds" in page
    assert 'nhsuk-tag--grey">Draft' in page and 'nhsuk-tag--green">Published' in page
    assert "Illustration" in page
    assert reverse("frameworks:diff") + "?from=wgll-2024&amp;to=wgll-2025" in page
    assert reverse("frameworks:index") == "/frameworks/"


def test_index_without_editions(client, db):
    response = client.get(reverse("frameworks:index"))
    assert response.status_code == 200
    assert "No framework editions have been loaded yet" in _text(response)


def test_edition_page_lists_pillars_and_domains(client, synced):
    response = client.get(reverse("frameworks:edition", args=["wgll-2025"]))
    assert response.status_code == 200
    page = _text(response)
    assert page.count("<h1") == 1
    assert "48 domains in all." in page
    assert "Ensure smart foundations" in page
    assert reverse("frameworks:domain", args=["wgll-2025", "sf.social_care_record"]) in page
    assert "No: new or changed" in page
    assert reverse("frameworks:questions", args=["wgll-2025"]) in page


def test_edition_page_filters_by_care_setting(client, synced):
    response = client.get(
        reverse("frameworks:edition", args=["wgll-2025"]), {"care_setting": "primary_care"}
    )
    page = _text(response)
    assert "9 domains apply to the care setting Primary care." in page
    assert reverse("frameworks:domain", args=["wgll-2025", "sf.cyber"]) in page
    assert reverse("frameworks:domain", args=["wgll-2025", "sf.epr"]) not in page
    assert "No domains of this pillar apply to Primary care." in page  # safe practice
    assert '<option value="primary_care" selected>' in page


def test_edition_page_with_unknown_care_setting_shows_an_error_and_everything(client, synced):
    response = client.get(
        reverse("frameworks:edition", args=["wgll-2025"]), {"care_setting": "hospital"}
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Choose a care setting from the list" in page and "48 domains in all." in page


@pytest.mark.parametrize(
    ("edition_id", "expected"),
    [
        ("infrastructure-stages-demo", "Stage 4: Mobile workforce"),
        ("national-phase-demo", "Legislation, policy and compliance"),
        ("asc-quality-demo", "Requires improvement"),
        ("dmi-2016-style", "nhs_number_uptake"),
    ],
)
def test_other_scoring_models_have_pages(client, synced, edition_id, expected):
    response = client.get(reverse("frameworks:edition", args=[edition_id]))
    assert response.status_code == 200
    page = _text(response)
    assert expected in page and "Illustration" in page


def test_domain_page_shows_levels_criteria_and_guidance(client, synced):
    response = client.get(reverse("frameworks:domain", args=["wgll-2025", "sf.epr"]))
    assert response.status_code == 200
    page = _text(response)
    assert page.count("<h1") == 1
    for level in range(1, 6):
        assert f"Level {level}:" in page
    assert "How to tell if this is good enough" in page and "How to do better" in page
    assert "sf.epr.l4.a" in page and "Evidence expected:" in page
    assert "Acute, Mental health, Community, Ambulance" in page
    assert reverse("frameworks:domain", args=["wgll-2024", "sf.epr"]) in page  # comparable with
    assert "Is an electronic patient record in use for clinical care" in page


def test_domain_page_explains_a_domain_that_is_not_comparable(client, synced):
    page = _text(client.get(reverse("frameworks:domain", args=["wgll-2025", "ep.nhs_app"])))
    assert "is new or changed in this edition, so its level is not compared with wgll-2024" in page
    assert "Replaces 2024" in page


def test_questions_page(client, synced):
    response = client.get(
        reverse("frameworks:questions", args=["wgll-2025"]), {"care_setting": "adult_social_care"}
    )
    assert response.status_code == 200
    page = _text(response)
    assert "5 questions asked of Adult social care" in page
    assert (
        "Asked when the answer to “Does the provider keep its care records in a digital social care record?” is yes"
        in page
    )
    assert "Is an electronic patient record in use" not in page


def test_diff_page_shows_added_removed_and_criterion_changes(client, synced):
    response = client.get(
        reverse("frameworks:diff"), {"from": "wgll-2025", "to": "wgll-2026-draft"}
    )
    assert response.status_code == 200
    page = _text(response)
    assert page.count("<h1") == 1
    assert "Safe and effective use of AI" in page
    assert "Not comparable: the level is not compared with wgll-2025." in page
    assert "Wording changed" in page and "Cyber Assessment Framework" in page
    assert "47 domains are the same in both editions" in page


def test_diff_page_defaults_to_the_latest_published_pair(client, synced):
    page = _text(client.get(reverse("frameworks:diff")))
    assert "From What Good Looks Like digital maturity assessment 2024 to" in page
    assert "Systems integration" in page and "Paper-free working" in page  # removed in 2025
    assert "Care settings added: Adult social care" in page


@pytest.mark.parametrize(
    "url",
    [
        "/frameworks/wgll-1999/",
        "/frameworks/wgll-1999/questions/",
        "/frameworks/wgll-2025/domains/sf.nothing/",
        "/frameworks/wgll-1999/domains/sf.epr/",
        "/frameworks/infrastructure-stages-demo/domains/sf.epr/",
        "/frameworks/diff/?from=wgll-2024&to=wgll-1999",
        "/frameworks/diff/?from=wgll-2024",
    ],
)
def test_unknown_edition_or_domain_is_404(client, synced, url):
    assert client.get(url).status_code == 404


def test_pages_refuse_post(client, synced):
    assert client.post(reverse("frameworks:edition", args=["wgll-2025"])).status_code == 405
