"""The contextual questions page: typed inputs, enable-when hints and conditional reveal,
validation with the NHS.UK error summary, and the no-JavaScript post."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from maturity.assessments.models import Answer

from .factories import answer

pytestmark = pytest.mark.django_db


def _url(return_):
    return reverse("assessments:context", args=[return_.pk])


def _stored(return_, item_id):
    found = Answer.objects.filter(return_obj=return_, item_id=item_id).first()
    return found.value if found else None


def test_context_page_draws_each_type_of_question(world, as_user):
    response = as_user(world.contributor).get(_url(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    # yes/no radios
    assert 'name="answer-ctx.epr_in_place" type="radio" value="yes"' in html
    # a single choice with many options is a select
    assert '<select class="nhsuk-select" id="item-ctx-epr_supplier"' in html
    # percentage: a number input 0–100 with a % suffix
    pct = re.search(r'<input[^>]*id="item-ctx-eprescribing_coverage"[^>]*>', html, re.S).group(0)
    assert 'type="number"' in pct and 'min="0"' in pct and 'max="100"' in pct
    assert "nhsuk-input-wrapper__suffix" in html and ">\n    %\n" in html or "%</div>" in html
    # a date as the NHS.UK date input
    assert 'name="answer-ctx.epr_go_live[day]"' in html
    assert 'name="answer-ctx.epr_go_live[year]"' in html
    # multiple choice checkboxes
    assert 'name="answer-ctx.nhs_app_features" type="checkbox"' in html
    # an integer with its unit
    assert re.search(r'id="item-ctx-remote_monitoring_people"[^>]*type="number"', html)


def test_dependent_questions_are_hinted_and_nested_for_conditional_reveal(world, as_user):
    html = as_user(world.contributor).get(_url(world.bath_return)).content.decode()
    trigger = "Can clinical staff open the local shared care record?"
    assert f"Only answer if you answered “Yes” to “{trigger}”" in html
    conditional = html[html.index('id="conditional-item-ctx-shared_care_record_access"') :]
    conditional = conditional[: conditional.index('id="group-item-ctx-nhs_app_integrated"')]
    assert 'name="answer-ctx.shared_care_record_staff_pct"' in conditional
    # Hidden only by the design system's script: without JavaScript every question shows.
    assert (
        'class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden" '
        'id="conditional-item-ctx-shared_care_record_access"'
    ) in html


def test_context_post_saves_typed_answers_and_redirects(world, as_user):
    client = as_user(world.contributor)
    response = client.post(
        _url(world.bath_return),
        {
            "answer-ctx.epr_in_place": "yes",
            "answer-ctx.epr_go_live[day]": "1",
            "answer-ctx.epr_go_live[month]": "4",
            "answer-ctx.epr_go_live[year]": "2021",
            "answer-ctx.eprescribing_coverage": "87.5",
            "answer-ctx.nhs_app_integrated": "yes",
            "answer-ctx.nhs_app_features": ["record", "appointments"],
            "then": "stay",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world.bath_return)
    assert _stored(world.bath_return, "ctx.epr_in_place") is True
    assert _stored(world.bath_return, "ctx.epr_go_live") == "2021-04-01"
    assert _stored(world.bath_return, "ctx.eprescribing_coverage") == 87.5
    assert _stored(world.bath_return, "ctx.nhs_app_features") == ["appointments", "record"]
    page = client.get(_url(world.bath_return)).content.decode()
    assert re.search(r'value="appointments"\s*checked', page)
    assert (
        'name="answer-ctx.epr_go_live[year]" type="text" value="2021"' in page
        or 'value="2021"' in page
    )


def test_context_validation_errors_use_the_error_summary(world, as_user):
    response = as_user(world.contributor).post(
        _url(world.bath_return),
        {
            "answer-ctx.eprescribing_coverage": "150",
            "answer-ctx.epr_go_live[day]": "31",
            "answer-ctx.epr_go_live[month]": "2",
            "answer-ctx.epr_go_live[year]": "2021",
            "answer-ctx.staff_digital_training": "40",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert 'href="#item-ctx-eprescribing_coverage"' in html
    assert 'href="#item-ctx-epr_go_live-day"' in html
    assert "Enter a real date" in html
    assert "A percentage must be between 0 and 100" in html
    assert "Ctx.eprescribing_coverage" not in html  # the service's item prefix is dropped
    # What was typed is kept; the valid answer was saved.
    assert 'value="150"' in html
    assert _stored(world.bath_return, "ctx.eprescribing_coverage") is None
    assert _stored(world.bath_return, "ctx.staff_digital_training") == 40.0


def test_context_conflict_goes_to_the_conflict_page(world, as_user):
    client = as_user(world.contributor)
    answer(world.bath_return, world.contributor, "ctx.staff_digital_training", 30)
    answer(world.bath_return, world.submitter, "ctx.staff_digital_training", 35)
    response = client.post(
        _url(world.bath_return),
        {
            "answer-ctx.staff_digital_training": "40",
            "version-ctx.staff_digital_training": "1",
            "original-ctx.staff_digital_training": "30",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Keep my answer: 40%" in html
    assert "Keep the saved answer: 35%" in html
    assert _stored(world.bath_return, "ctx.staff_digital_training") == 35


def test_context_page_of_another_organisations_return_is_404(world, as_user):
    client = as_user(world.contributor)
    assert client.get(_url(world.oxford_return)).status_code == 404
    response = client.post(_url(world.oxford_return), {"answer-ctx.epr_in_place": "yes"})
    assert response.status_code == 404
    assert _stored(world.oxford_return, "ctx.epr_in_place") is None


def test_context_post_by_someone_who_cannot_edit_is_403(world, as_user):
    client = as_user(world.system_lead)
    assert client.get(_url(world.bath_return)).status_code == 200  # reading is fine
    response = client.post(_url(world.bath_return), {"answer-ctx.epr_in_place": "yes"})
    assert response.status_code == 403
    assert _stored(world.bath_return, "ctx.epr_in_place") is None
