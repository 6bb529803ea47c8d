"""The per-item endpoint htmx posts to. "Saved" appears only once the service has saved; the
partial carries the new version (out of band) and the level; a stale version gets both values
and a choice, and the version is not moved on, so nothing is saved until the person chooses."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from maturity.assessments.models import Answer

from .factories import DOMAIN, answer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _item(return_, item_id):
    return reverse("assessments:item", args=[return_.pk, item_id])


def _stored(return_, item_id):
    return Answer.objects.filter(return_obj=return_, item_id=item_id).first()


def test_autosave_saves_and_returns_the_new_version_and_level(world, as_user):
    client = as_user(world.contributor)
    response = client.post(
        _item(world.bath_return, "sf.epr.l1.a"),
        {"answer-sf.epr.l1.a": "met", "version-sf.epr.l1.a": "", "original-sf.epr.l1.a": ""},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("Saved at")
    assert 'id="state-item-sf-epr-l1-a" hx-swap-oob="innerHTML"' in html
    assert 'name="version-sf.epr.l1.a" value="1"' in html
    assert 'name="original-sf.epr.l1.a" value="met"' in html
    assert 'id="domain-level" hx-swap-oob="innerHTML"' in html
    assert "These answers give level 1." in html
    stored = _stored(world.bath_return, "sf.epr.l1.a")
    assert (stored.value, stored.version, stored.updated_by) == ("met", 1, world.contributor)


def test_autosave_level_moves_as_criteria_are_met(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    answer(world.bath_return, world.contributor, "sf.epr.l1.b", "met")
    answer(world.bath_return, world.contributor, "sf.epr.l2.a", "met")
    response = client.post(
        _item(world.bath_return, "sf.epr.l2.b"),
        {"answer-sf.epr.l2.b": "met", "version-sf.epr.l2.b": ""},
        **HTMX,
    )
    assert "These answers give level 2." in response.content.decode()


def test_autosave_narrative(world, as_user):
    item = f"narrative:{DOMAIN}"
    response = as_user(world.contributor).post(
        _item(world.bath_return, item),
        {f"answer-{item}": "Live on every ward\r\nsince 2023.", f"version-{item}": ""},
        **HTMX,
    )
    assert "Saved at" in response.content.decode()
    assert _stored(world.bath_return, item).value == "Live on every ward\nsince 2023."


def test_autosave_conflict_offers_both_values_and_keeps_the_old_version(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")  # now version 2
    response = as_user(world.contributor).post(
        _item(world.bath_return, "sf.epr.l1.a"),
        {"answer-sf.epr.l1.a": "not_met", "version-sf.epr.l1.a": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved" not in html.replace("saved", "")
    assert "Not saved." in html
    assert "Sam Submitter saved “Not applicable”" in html
    assert "Your answer is “Not met”" in html
    assert "Keep my answer" in html and "Use the saved answer" in html
    # Keeping mine re-posts with the version now seen; no out-of-band version update.
    assert re.search(
        r"hx-vals='\{&#34;version-sf.epr.l1.a&#34;: 2\}'|hx-vals='\{\"version-sf.epr.l1.a\": 2\}'",
        html,
    )
    assert "hx-swap-oob" not in html
    assert _stored(world.bath_return, "sf.epr.l1.a").value == "na"


def test_autosave_keep_mine_after_a_conflict(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    response = as_user(world.contributor).post(
        _item(world.bath_return, "sf.epr.l1.a"),
        {"answer-sf.epr.l1.a": "not_met", "version-sf.epr.l1.a": "2"},
        **HTMX,
    )
    assert "Saved at" in response.content.decode()
    assert _stored(world.bath_return, "sf.epr.l1.a").value == "not_met"


def test_autosave_use_the_saved_answer_redraws_the_item(world, as_user):
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    response = as_user(world.contributor).get(_item(world.bath_return, "sf.epr.l1.a"), **HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<div id="group-item-sf-epr-l1-a"')
    assert re.search(r'value="na"\s*checked', html)
    assert 'name="version-sf.epr.l1.a" value="1"' in html


def test_autosave_invalid_value_is_not_saved(world, as_user):
    response = as_user(world.contributor).post(
        _item(world.bath_return, "sf.epr.l1.a"), {"answer-sf.epr.l1.a": "maybe"}, **HTMX
    )
    html = response.content.decode()
    assert "Not saved:" in html and "nhsuk-error-message" in html
    assert _stored(world.bath_return, "sf.epr.l1.a") is None


def test_autosave_contextual_percentage_out_of_range(world, as_user):
    response = as_user(world.contributor).post(
        _item(world.bath_return, "ctx.eprescribing_coverage"),
        {"answer-ctx.eprescribing_coverage": "150"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Not saved:" in html and "between 0 and 100" in html
    assert _stored(world.bath_return, "ctx.eprescribing_coverage") is None


def test_autosave_contextual_date_waits_for_all_three_parts(world, as_user):
    client = as_user(world.contributor)
    url = _item(world.bath_return, "ctx.epr_go_live")
    partial = client.post(url, {"answer-ctx.epr_go_live[day]": "3"}, **HTMX)
    assert partial.content.decode().strip() == ""
    assert _stored(world.bath_return, "ctx.epr_go_live") is None
    full = client.post(
        url,
        {
            "answer-ctx.epr_go_live[day]": "3",
            "answer-ctx.epr_go_live[month]": "11",
            "answer-ctx.epr_go_live[year]": "2021",
        },
        **HTMX,
    )
    assert "Saved at" in full.content.decode()
    assert 'name="original-ctx.epr_go_live" value="3-11-2021"' in full.content.decode()
    assert _stored(world.bath_return, "ctx.epr_go_live").value == "2021-11-03"


def test_autosave_without_htmx_redirects_back(world, as_user):
    response = as_user(world.contributor).post(
        _item(world.bath_return, "sf.epr.l1.a"), {"answer-sf.epr.l1.a": "met"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "assessments:domain", args=[world.bath_return.pk, DOMAIN]
    )
    assert _stored(world.bath_return, "sf.epr.l1.a").value == "met"


def test_autosave_on_another_organisations_return_is_404(world, as_user):
    response = as_user(world.contributor).post(
        _item(world.oxford_return, "sf.epr.l1.a"), {"answer-sf.epr.l1.a": "met"}, **HTMX
    )
    assert response.status_code == 404
    assert _stored(world.oxford_return, "sf.epr.l1.a") is None


def test_autosave_of_an_item_the_return_lacks_is_404(world, as_user):
    response = as_user(world.contributor).post(
        _item(world.bath_return, "zz.nothing.l1.a"), {}, **HTMX
    )
    assert response.status_code == 404


def test_autosave_by_someone_who_cannot_edit_is_403(world, as_user):
    response = as_user(world.system_lead).post(
        _item(world.bath_return, "sf.epr.l1.a"), {"answer-sf.epr.l1.a": "met"}, **HTMX
    )
    assert response.status_code == 403
    assert _stored(world.bath_return, "sf.epr.l1.a") is None


def test_item_get_without_htmx_goes_to_the_page(world, as_user):
    client = as_user(world.contributor)
    response = client.get(_item(world.bath_return, "ctx.epr_in_place"), **HTMX)
    context = reverse("assessments:context", args=[world.bath_return.pk])
    assert response.status_code == 302
    assert response["Location"] == context + "#item-ctx-epr_in_place"
    response = client.get(_item(world.bath_return, "sf.epr.l1.a"))
    domain = reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN])
    assert response["Location"] == domain + "#item-sf-epr-l1-a"
