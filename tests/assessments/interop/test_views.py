"""The export, FHIR and import pages: what each role gets, and what the pages do."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from maturity.assessments.models import Answer
from tests.assessments.interop.conftest import BATH, PASSWORD, make_return, save

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessments.interop.urls")]

RETURN_ROUTES = ("interop:export-csv", "interop:questionnaire-response", "interop:import")


@pytest.fixture
def primary(cycle, orgs, people, wgll):
    """A primary care return of Bath (the shortest edition slice: quick to print)."""
    return_ = make_return(cycle, orgs["RD1"], "primary_care")
    domain = wgll.domains_for("primary_care")[0]
    save(people["contributor"], return_, {c.id: "met" for c in domain.criteria[:2]})
    return return_


def _client(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_contributor_downloads_csv_pdf_and_response(client, people, primary, wgll):
    c = _client(client, people["contributor"])
    response = c.get(reverse("interop:export-csv", args=[primary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="RD1-primary_care-2026-return.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    first = wgll.domains_for("primary_care")[0].criteria[0].id
    assert {r["item_id"]: r["value"] for r in rows}[first] == "met"

    response = c.get(reverse("interop:export-pdf", args=[primary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")

    response = c.get(reverse("interop:questionnaire-response", args=[primary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    body = QuestionnaireResponse.model_validate_json(response.content)
    assert body.subject.display == BATH
    assert body.questionnaire == (
        "https://observatory.test/frameworks-fhir/wgll-2025/primary_care/questionnaire.json"
        "|wgll-2025"
    )


@pytest.mark.parametrize("route", [*RETURN_ROUTES, "interop:export-pdf"])
def test_another_organisations_return_is_not_found(client, people, primary, route):
    c = _client(client, people["oxford"])
    assert c.get(reverse(route, args=[primary.pk])).status_code == 404
    assert c.get(reverse(route, args=[999_999])).status_code == 404


@pytest.mark.parametrize("route", RETURN_ROUTES)
def test_signed_out_visitors_go_to_sign_in(client, primary, route):
    response = client.get(reverse(route, args=[primary.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_read_only_roles_may_export_but_not_import(client, people, primary, wgll):
    c = _client(client, people["analyst"])
    assert c.get(reverse("interop:export-csv", args=[primary.pk])).status_code == 200
    page = c.get(reverse("interop:import", args=[primary.pk]))
    assert page.status_code == 403
    assert "contributors and submitters can import" in page.content.decode()
    criterion = wgll.domains_for("primary_care")[0].criteria[3].id
    upload = SimpleUploadedFile("a.csv", f"item_id,value\n{criterion},met\n".encode())
    response = c.post(reverse("interop:import", args=[primary.pk]), {"answers_file": upload})
    assert response.status_code == 403
    assert not Answer.objects.filter(return_obj=primary, item_id=criterion).exists()


def test_import_page_and_a_good_file(client, people, primary, wgll):
    c = _client(client, people["submitter"])
    url = reverse("interop:import", args=[primary.pk])
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Import answers</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert reverse("interop:export-csv", args=[primary.pk]) in html
    assert reverse("fhir:questionnaire", args=["wgll-2025", "primary_care"]) in html

    criteria = [c.id for c in wgll.domains_for("primary_care")[0].criteria]
    upload = SimpleUploadedFile(
        "answers.csv",
        ("item_id,value,version\n" + f"{criteria[0]},na,1\n{criteria[3]},met,\n").encode(),
        content_type="text/csv",
    )
    response = c.post(url, {"answers_file": upload})
    assert response.status_code == 302
    assert response["Location"] == url
    answers = dict(Answer.objects.filter(return_obj=primary).values_list("item_id", "value"))
    assert (answers[criteria[0]], answers[criteria[3]]) == ("na", "met")
    followed = c.get(url)
    assert "Import complete: 2 answers saved from the CSV file." in followed.content.decode()


def test_a_bad_file_lists_every_problem_and_saves_nothing(client, people, primary, wgll):
    c = _client(client, people["contributor"])
    criteria = [c.id for c in wgll.domains_for("primary_care")[0].criteria]
    before = list(Answer.objects.filter(return_obj=primary).values_list("item_id", "version"))
    upload = SimpleUploadedFile(
        "answers.csv",
        (
            "item_id,value\n"
            f"{criteria[4]},met\n"
            f"{criteria[5]},maybe\n"
            "ctx.epr_in_place,yes\n"
            f"{criteria[4]},na\n"
        ).encode(),
    )
    response = c.post(reverse("interop:import", args=[primary.pk]), {"answers_file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported: the file has 3 problems" in html
    assert "line 3, column value: &#39;maybe&#39; is not one of met, not_met, na" in html
    assert "line 4, column item_id: &#39;ctx.epr_in_place&#39; is not asked of primary care" in html
    assert f"line 5, column item_id: &#39;{criteria[4]}&#39; is already given on line 2" in html
    assert list(Answer.objects.filter(return_obj=primary).values_list("item_id", "version")) == (
        before
    )
    # No file at all.
    response = c.post(reverse("interop:import", args=[primary.pk]), {})
    assert response.status_code == 400
    assert "Choose a file of answers to import" in response.content.decode()


def test_importing_a_questionnaire_response_page(client, people, cycle, orgs, primary):
    c = _client(client, people["contributor"])
    exported = c.get(reverse("interop:questionnaire-response", args=[primary.pk])).content
    fresh = make_return(cycle, orgs["RD1"], "icb")  # another care setting: refused
    response = c.post(
        reverse("interop:import", args=[fresh.pk]),
        {"answers_file": SimpleUploadedFile("qr.json", exported)},
    )
    assert response.status_code == 400
    assert "questionnaire: the response answers" in response.content.decode()

    oxford_primary = make_return(cycle, orgs["RTH"], "primary_care")
    oxford = _client(client, people["oxford"])
    response = oxford.post(
        reverse("interop:import", args=[oxford_primary.pk]),
        {"answers_file": SimpleUploadedFile("qr.json", exported)},
    )
    assert response.status_code == 302
    assert dict(
        Answer.objects.filter(return_obj=oxford_primary).values_list("item_id", "value")
    ) == (dict(Answer.objects.filter(return_obj=primary).values_list("item_id", "value")))


def test_a_committed_return_cannot_be_imported_into(client, people, primary, wgll):
    primary.status = "committed"
    primary.save(update_fields=["status"])
    c = _client(client, people["contributor"])
    url = reverse("interop:import", args=[primary.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert "accepts no changes now" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main")[1]
    criterion = wgll.domains_for("primary_care")[0].criteria[5].id
    upload = SimpleUploadedFile("a.csv", f"item_id,value\n{criterion},met\n".encode())
    assert c.post(url, {"answers_file": upload}).status_code == 409
    assert not Answer.objects.filter(return_obj=primary, item_id=criterion).exists()


def test_public_questionnaire(client, edition_row):
    url = reverse("fhir:questionnaire", args=["wgll-2025", "acute"])
    assert url == "/frameworks-fhir/wgll-2025/acute/questionnaire.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    questionnaire = Questionnaire.model_validate_json(response.content)
    assert questionnaire.url == f"https://observatory.test{url}"
    assert json.loads(response.content)["item"][0]["linkId"] == "context"
    for edition_id, setting in (
        ("wgll-2025", "nowhere"),
        ("nope-1999", "acute"),
        ("dmi-2016-style", "acute"),  # not an edition of levels
    ):
        assert (
            client.get(f"/frameworks-fhir/{edition_id}/{setting}/questionnaire.json").status_code
            == 404
        )
