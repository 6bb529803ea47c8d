"""The panel's summary table as a PDF: a real PDF, the same rows as the page, public like it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from maturity.commitments import exports, selectors, services
from maturity.commitments.models import EvaluationRound
from maturity.commitments.seeding import seed_commitments
from maturity.web import pdf

pytestmark = pytest.mark.django_db


def _page_text(document) -> str:
    from weasyprint.formatting_structure import boxes as structure

    def walk(box):
        if isinstance(box, structure.TextBox):
            yield box.text
        for child in getattr(box, "children", []) or []:
            yield from walk(child)

    return " ".join(text for page in document.pages for text in walk(page._page_box))


@pytest.fixture
def seeded(db):
    seed_commitments()


def test_summary_pdf_download(client, seeded):
    main = EvaluationRound.objects.get(held_on=dt.date(2023, 2, 17))
    url = reverse("commitments:summary-pdf") + f"?round={main.pk}"
    response = client.get(url)  # public, like the summary page: no sign-in
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="commitment-ratings-2023-02-17.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert client.post(url).status_code == 405


def test_summary_pdf_shows_the_page_table(seeded):
    main = EvaluationRound.objects.get(held_on=dt.date(2023, 2, 17))
    data = selectors.summary(main)
    html = exports.summary_pdf_html(data, printed_on=dt.date(2026, 1, 5))
    document = pdf.render_document(html, stylesheets=[exports.SUMMARY_STYLESHEET])
    text = _page_text(document)
    for area in data.areas:
        assert area.label in text
        for row in area.rows:
            assert row.commitment.title in text
    assert "Met or on track" in text and "Overall" in text
    assert text.count("Inadequate") >= 4 and "Not known" in text
    assert "Page 1 of" in text and "5 January 2026" in text


def test_summary_pdf_links_from_the_summary_page(client, seeded):
    main = EvaluationRound.objects.get(held_on=dt.date(2023, 2, 17))
    page = client.get(reverse("commitments:summary") + f"?round={main.pk}").content.decode()
    assert f'href="{reverse("commitments:summary-pdf")}?round={main.pk}"' in page
    assert f'href="{reverse("commitments:summary-csv")}?round={main.pk}"' in page


def test_summary_pdf_signed_in_or_not_is_the_same(client, seeded, analyst, contributor):
    for user in (None, contributor, analyst):
        if user is not None:
            client.force_login(user)
        assert client.get(reverse("commitments:summary-pdf")).status_code == 200


def test_summary_pdf_without_rounds(client, db):
    response = client.get(reverse("commitments:summary-pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert 'filename="none.pdf"' in response["Content-Disposition"]
    html = exports.summary_pdf_html(selectors.summary(None), printed_on=dt.date(2026, 1, 5))
    assert "No evaluation round has ratings yet" in html


def test_summary_pdf_fetches_nothing_but_its_stylesheet(analyst, panel_member, commitment):
    evaluation_round = services.round_create(
        by=analyst, name="Round", held_on=dt.date(2026, 6, 1), panel='<img src="http://x/y">'
    )
    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=evaluation_round,
        ratings={"overall": services.RatingInput("good", "Because.")},
    )
    html = exports.summary_pdf_html(
        selectors.summary(evaluation_round), printed_on=dt.date(2026, 7, 1)
    )
    assert "&lt;img" in html and "<img" not in html  # escaped: never an element
    assert "https://" not in html.split("<body>")[0]  # no CDN
    fetcher = pdf.local_files_fetcher([exports.SUMMARY_STYLESHEET])
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError, match="not fetched"):
            fetcher.fetch(url)
    sheet = fetcher.fetch(exports.SUMMARY_STYLESHEET.as_uri())
    try:
        assert b"A4 landscape" in sheet.read()
    finally:
        sheet.close()
