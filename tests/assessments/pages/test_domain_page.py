"""The domain page without JavaScript: the whole form posts, the view saves through
answers_save, redirects (PRG), and a stale edit lands on the conflict page with both values."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from maturity.assessments.models import Answer

from .factories import DOMAIN, answer

pytestmark = pytest.mark.django_db

CRITERIA = [
    "sf.epr.l1.a",
    "sf.epr.l1.b",
]
NARRATIVE = f"narrative:{DOMAIN}"


def _url(return_, domain_id=DOMAIN):
    return reverse("assessments:domain", args=[return_.pk, domain_id])


def _form(page_html: str) -> dict[str, str]:
    """The answer form's hidden inputs as the page drew them (what a browser would send back)."""
    import re

    form = page_html[page_html.index('id="answers-form"') :]
    form = form[: form.index("</form>")]
    data = {}
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data[name] = value
    for name, value in re.findall(r'name="([^"]+)" type="radio" value="([^"]*)"\s*checked', form):
        data[name] = value
    return data


def _value(return_, item_id):
    found = Answer.objects.filter(return_obj=return_, item_id=item_id).first()
    return found.value if found else None


# --- GET ------------------------------------------------------------------------------------------


def test_domain_page_shows_levels_criteria_guidance_and_versions(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    response = as_user(world.contributor).get(_url(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Electronic patient record</h1>" in html
    assert "Level 1: Electronic administration" in html
    assert "How to tell if this is good enough" in html
    assert "How to do better" in html
    assert "nhsuk-details" in html
    # A radio group per criterion with a legend, a label per option.
    assert html.count("<legend") >= 10
    assert 'name="answer-sf.epr.l1.a" type="radio" value="met"' in html
    assert "Not applicable" in html
    # Each answer carries its version; an unanswered item an empty one.
    assert 'name="version-sf.epr.l1.a" value="1"' in html
    assert 'name="version-sf.epr.l1.b" value=""' in html
    # The level this gives, in a polite live region; htmx saves each item.
    assert 'id="domain-level" role="status" aria-live="polite"' in html
    assert 'hx-post="/returns/' in html and 'hx-trigger="change"' in html
    # Evidence upload is multipart with an accept list; comments and assignment are there.
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".pdf' in html
    assert "Add comment" in html
    assert "Who is answering this domain" in html
    # Scripts are files (the CSP forbids inline script); no inline styles.
    assert html.count("<script") == html.count("<script src=") + html.count(
        '<script type="module" src='
    )
    assert "autosave-status.js" in html
    assert 'style="' not in html


def test_domain_page_of_another_organisations_return_is_404(world, as_user):
    response = as_user(world.contributor).get(_url(world.oxford_return))
    assert response.status_code == 404


def test_domain_page_for_a_domain_the_return_does_not_answer_is_404(world, as_user):
    response = as_user(world.contributor).get(_url(world.bath_return, "sf.nonsense"))
    assert response.status_code == 404


def test_domain_page_is_read_only_for_a_system_lead(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    response = as_user(world.system_lead).get(_url(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="answers-form"' not in html
    assert "Met" in html


# --- POST without JavaScript ----------------------------------------------------------------------


def test_no_js_post_saves_and_redirects(world, as_user):
    client = as_user(world.contributor)
    data = _form(client.get(_url(world.bath_return)).content.decode())
    data.update(
        {
            "answer-sf.epr.l1.a": "met",
            "answer-sf.epr.l1.b": "not_met",
            f"answer-{NARRATIVE}": "Our EPR is live on all wards.",
            "then": "stay",
        }
    )
    response = client.post(_url(world.bath_return), data)
    assert response.status_code == 302
    assert response["Location"] == _url(world.bath_return)
    assert _value(world.bath_return, "sf.epr.l1.a") == "met"
    assert _value(world.bath_return, "sf.epr.l1.b") == "not_met"
    assert _value(world.bath_return, NARRATIVE) == "Our EPR is live on all wards."
    page = client.get(response["Location"]).content.decode()
    assert "Your answers have been saved." in page
    assert 'name="version-sf.epr.l1.a" value="1"' in page


def test_no_js_post_then_return_goes_to_the_task_list(world, as_user):
    client = as_user(world.contributor)
    data = _form(client.get(_url(world.bath_return)).content.decode())
    data.update({"answer-sf.epr.l1.a": "na", "then": "return"})
    response = client.post(_url(world.bath_return), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:return", args=[world.bath_return.pk])


def test_no_js_post_sends_only_what_changed(world, as_user):
    """An item this person did not touch is not sent, so another person's later save of it is
    neither overwritten nor reported as a conflict."""
    client = as_user(world.contributor)
    answer(world.bath_return, world.submitter, "sf.epr.l1.b", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.b", "not_met")  # meanwhile
    data.update({"answer-sf.epr.l1.a": "met"})
    response = client.post(_url(world.bath_return), data)
    assert response.status_code == 302
    assert _value(world.bath_return, "sf.epr.l1.b") == "not_met"
    assert _value(world.bath_return, "sf.epr.l1.a") == "met"


def test_no_js_invalid_value_shows_the_error_summary(world, as_user):
    client = as_user(world.contributor)
    data = _form(client.get(_url(world.bath_return)).content.decode())
    data.update({"answer-sf.epr.l1.a": "perhaps", "answer-sf.epr.l1.b": "met"})
    response = client.post(_url(world.bath_return), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert 'href="#item-sf-epr-l1-a"' in html
    assert "nhsuk-error-message" in html
    assert "<title>Error:" in html
    # The valid change in the same post was saved.
    assert _value(world.bath_return, "sf.epr.l1.b") == "met"
    assert _value(world.bath_return, "sf.epr.l1.a") is None


def test_no_js_conflict_shows_both_values_and_who_saved(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")  # someone else, meanwhile
    data.update({"answer-sf.epr.l1.a": "not_met", "answer-sf.epr.l1.b": "met"})
    response = client.post(_url(world.bath_return), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Choose which answers to keep" in html
    assert "Keep my answer: Not met" in html
    assert "Keep the saved answer: Not applicable" in html
    assert "Sam Submitter" in html
    # Nothing was overwritten; the other change was saved.
    assert _value(world.bath_return, "sf.epr.l1.a") == "na"
    assert _value(world.bath_return, "sf.epr.l1.b") == "met"


def _conflict_form(html: str) -> dict[str, str]:
    import re

    data = {}
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html):
        data[name] = value.replace("&#34;", '"').replace("&quot;", '"')
    return data


def test_conflict_keep_mine_saves_over_the_version_seen(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    data.update({"answer-sf.epr.l1.a": "not_met"})
    page = client.post(_url(world.bath_return), data).content.decode()
    choice = _conflict_form(page)
    assert json.loads(choice["mine-sf.epr.l1.a"]) == "not_met"
    choice["keep-sf.epr.l1.a"] = "mine"
    response = client.post(reverse("assessments:resolve", args=[world.bath_return.pk]), choice)
    assert response.status_code == 302
    assert response["Location"] == _url(world.bath_return)
    assert _value(world.bath_return, "sf.epr.l1.a") == "not_met"


def test_conflict_keep_theirs_changes_nothing(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    data.update({"answer-sf.epr.l1.a": "not_met"})
    choice = _conflict_form(client.post(_url(world.bath_return), data).content.decode())
    choice["keep-sf.epr.l1.a"] = "theirs"
    response = client.post(reverse("assessments:resolve", args=[world.bath_return.pk]), choice)
    assert response.status_code == 302
    assert _value(world.bath_return, "sf.epr.l1.a") == "na"


def test_conflict_choice_is_required(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    data.update({"answer-sf.epr.l1.a": "not_met"})
    choice = _conflict_form(client.post(_url(world.bath_return), data).content.decode())
    response = client.post(reverse("assessments:resolve", args=[world.bath_return.pk]), choice)
    assert response.status_code == 409
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Choose which answer to keep" in html


def test_conflict_resolved_against_a_third_change_is_refused_again(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = _form(client.get(_url(world.bath_return)).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "na")
    data.update({"answer-sf.epr.l1.a": "not_met"})
    choice = _conflict_form(client.post(_url(world.bath_return), data).content.decode())
    answer(world.bath_return, world.submitter, "sf.epr.l1.a", "met")  # a third change
    choice["keep-sf.epr.l1.a"] = "mine"
    response = client.post(reverse("assessments:resolve", args=[world.bath_return.pk]), choice)
    assert response.status_code == 409
    assert _value(world.bath_return, "sf.epr.l1.a") == "met"


def test_resolve_on_another_organisations_return_is_404(world, as_user):
    response = as_user(world.contributor).post(
        reverse("assessments:resolve", args=[world.oxford_return.pk]), {}
    )
    assert response.status_code == 404


def test_post_by_someone_who_cannot_edit_is_403(world, as_user):
    response = as_user(world.system_lead).post(
        _url(world.bath_return), {"answer-sf.epr.l1.a": "met"}
    )
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    assert _value(world.bath_return, "sf.epr.l1.a") is None


def test_post_to_another_organisations_return_is_404(world, as_user):
    response = as_user(world.contributor).post(
        _url(world.oxford_return), {"answer-sf.epr.l1.a": "met"}
    )
    assert response.status_code == 404
    assert _value(world.oxford_return, "sf.epr.l1.a") is None


def test_committed_return_is_read_only(world, as_user):
    from maturity.assessments import services

    from .factories import answer_everything

    answer_everything(world.bath_return, world.contributor)
    services.return_commit(by=world.submitter, return_=world.bath_return)
    client = as_user(world.contributor)
    html = client.get(_url(world.bath_return)).content.decode()
    assert 'id="answers-form"' not in html
    assert "committed and locked" in html
    response = client.post(_url(world.bath_return), {"answer-sf.epr.l1.a": "not_met"})
    assert response.status_code == 403
    assert _value(world.bath_return, "sf.epr.l1.a") == "met"
