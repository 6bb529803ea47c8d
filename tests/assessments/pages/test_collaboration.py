"""Evidence (files and links), comment threads and assignment on the domain page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maturity.assessments import services
from maturity.assessments.models import Assignment, Comment, Evidence

from .factories import DOMAIN

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _domain(return_):
    return reverse("assessments:domain", args=[return_.pk, DOMAIN])


def _file_url(return_):
    return reverse("assessments:evidence-file", args=[return_.pk, DOMAIN])


def _link_url(return_):
    return reverse("assessments:evidence-link", args=[return_.pk, DOMAIN])


# --- evidence -------------------------------------------------------------------------------------


def test_upload_a_pdf_then_download_and_remove_it(world, as_user):
    client = as_user(world.contributor)
    upload = SimpleUploadedFile("board paper.pdf", PDF, content_type="application/pdf")
    response = client.post(
        _file_url(world.bath_return), {"file-file": upload, "file-note": "Board minutes"}
    )
    assert response.status_code == 302
    assert response["Location"] == _domain(world.bath_return) + "#evidence"
    evidence = Evidence.objects.get(return_obj=world.bath_return)
    page = client.get(_domain(world.bath_return)).content.decode()
    assert "board paper.pdf" in page and "Board minutes" in page
    download = client.get(
        reverse("assessments:evidence-download", args=[world.bath_return.pk, evidence.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    removed = client.post(
        reverse("assessments:evidence-remove", args=[world.bath_return.pk, evidence.pk])
    )
    assert removed.status_code == 302
    evidence.refresh_from_db()
    assert evidence.removed_at is not None


def test_upload_refuses_a_file_that_is_not_a_document(world, as_user):
    client = as_user(world.contributor)
    upload = SimpleUploadedFile(
        "notes.pdf", b"MZ\x90\x00 not really a pdf", content_type="application/pdf"
    )
    response = client.post(_file_url(world.bath_return), {"file-file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html and 'href="#file-id_file"' in html
    assert not Evidence.objects.exists()


def test_upload_needs_a_file(world, as_user):
    response = as_user(world.contributor).post(_file_url(world.bath_return), {})
    assert response.status_code == 400
    assert "Select a file to upload" in response.content.decode()


def test_add_a_link(world, as_user):
    client = as_user(world.contributor)
    response = client.post(
        _link_url(world.bath_return),
        {"link-url": "https://www.example.nhs.uk/digital-strategy.pdf", "link-note": "Strategy"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(return_obj=world.bath_return)
    assert evidence.url == "https://www.example.nhs.uk/digital-strategy.pdf"


def test_a_bad_link_is_refused_with_an_inline_error(world, as_user):
    response = as_user(world.contributor).post(
        _link_url(world.bath_return), {"link-url": "not a web address"}
    )
    assert response.status_code == 400
    assert "Enter a web address in the correct format" in response.content.decode()


def test_evidence_of_another_organisations_return_is_404(world, as_user):
    evidence = services.evidence_add_link(
        by=world.other_contributor,
        return_=world.oxford_return,
        domain_id=DOMAIN,
        url="https://example.org/x",
    )
    client = as_user(world.contributor)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_file_url(world.oxford_return), {"file-file": upload}).status_code == 404
    assert (
        client.post(_link_url(world.oxford_return), {"link-url": "https://a.b"}).status_code == 404
    )
    remove = reverse("assessments:evidence-remove", args=[world.oxford_return.pk, evidence.pk])
    assert client.post(remove).status_code == 404
    # Nor can it be reached through one's own return.
    sneaky = reverse("assessments:evidence-remove", args=[world.bath_return.pk, evidence.pk])
    assert client.post(sneaky).status_code == 404
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_evidence_by_someone_who_cannot_edit_is_403(world, as_user):
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = as_user(world.system_lead).post(_file_url(world.bath_return), {"file-file": upload})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- comments -------------------------------------------------------------------------------------


def test_comment_reply_and_resolve(world, as_user):
    client = as_user(world.contributor)
    url = reverse("assessments:comment", args=[world.bath_return.pk, DOMAIN])
    assert client.post(url, {"comment-body": "Is the EPR live in maternity?"}).status_code == 302
    thread = Comment.objects.get(parent__isnull=True)
    replier = as_user(world.submitter)
    reply = replier.post(
        url, {"thread": str(thread.pk), f"reply-{thread.pk}-body": "Yes, since May."}
    )
    assert reply.status_code == 302
    assert thread.replies.get().body == "Yes, since May."
    page = client.get(_domain(world.bath_return)).content.decode()
    assert "Is the EPR live in maternity?" in page and "Yes, since May." in page
    resolve = reverse("assessments:comment-resolve", args=[world.bath_return.pk, thread.pk])
    assert replier.post(resolve).status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_by == world.submitter
    assert "Resolved" in client.get(_domain(world.bath_return)).content.decode()


def test_an_empty_comment_is_refused(world, as_user):
    url = reverse("assessments:comment", args=[world.bath_return.pk, DOMAIN])
    response = as_user(world.contributor).post(url, {"comment-body": "  "})
    assert response.status_code == 400
    assert "Enter a comment" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_system_lead_can_raise_a_query(world, as_user):
    url = reverse("assessments:comment", args=[world.bath_return.pk, DOMAIN])
    response = as_user(world.system_lead).post(url, {"comment-body": "Please add evidence."})
    assert response.status_code == 302
    assert Comment.objects.get().author == world.system_lead


def test_comments_on_another_organisations_return_are_404(world, as_user):
    thread = services.comment_add(
        by=world.other_contributor, return_=world.oxford_return, domain_id=DOMAIN, body="Hi"
    )
    client = as_user(world.contributor)
    url = reverse("assessments:comment", args=[world.oxford_return.pk, DOMAIN])
    assert client.post(url, {"comment-body": "x"}).status_code == 404
    resolve = reverse("assessments:comment-resolve", args=[world.bath_return.pk, thread.pk])
    assert client.post(resolve).status_code == 404
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_commenting_needs_sign_in(world, client):
    url = reverse("assessments:comment", args=[world.bath_return.pk, DOMAIN])
    assert client.post(url, {"comment-body": "x"}).status_code == 302
    assert not Comment.objects.exists()


# --- assignment -----------------------------------------------------------------------------------


def test_assign_a_domain_to_a_contributor(world, as_user):
    client = as_user(world.submitter)
    page = client.get(_domain(world.bath_return)).content.decode()
    assert "Cara Contributor" in page  # offered in the select
    url = reverse("assessments:assign", args=[world.bath_return.pk, DOMAIN])
    response = client.post(url, {"assign-assignee": str(world.contributor.pk)})
    assert response.status_code == 302
    assert Assignment.objects.get().assignee == world.contributor
    overview = client.get(reverse("assessments:return", args=[world.bath_return.pk]))
    assert "Assigned to Cara Contributor" in overview.content.decode()


def test_assigning_someone_outside_the_organisation_is_refused(world, as_user):
    url = reverse("assessments:assign", args=[world.bath_return.pk, DOMAIN])
    response = as_user(world.submitter).post(
        url, {"assign-assignee": str(world.other_contributor.pk)}
    )
    assert response.status_code == 400
    assert "Select a person from the list" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_on_another_organisations_return_is_404(world, as_user):
    url = reverse("assessments:assign", args=[world.oxford_return.pk, DOMAIN])
    response = as_user(world.submitter).post(url, {"assign-assignee": str(world.contributor.pk)})
    assert response.status_code == 404


def test_assigning_by_someone_who_cannot_edit_is_403(world, as_user):
    url = reverse("assessments:assign", args=[world.bath_return.pk, DOMAIN])
    people = {"assign-assignee": str(world.contributor.pk)}
    assert as_user(world.system_lead).post(url, people).status_code == 403
    assert not Assignment.objects.exists()
