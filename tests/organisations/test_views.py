"""Organisation pages: search, detail with the hierarchy on a date, 404."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.template import engines

from maturity.organisations.selectors import get_organisation, organisation_detail

from .factories import OrganisationFactory


def text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def test_search_by_name_lists_matches_with_links(client, mini_registry):
    response = client.get("/organisations/", {"q": "frimley"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "3 organisations found" in text(response)
    assert 'href="/organisations/RDU/"' in body
    assert 'href="/organisations/QNQ/"' in body


def test_search_by_code_prefix_and_kind(client, mini_registry):
    response = client.get("/organisations/", {"q": "rc9", "kind": "trust"})
    assert "1 organisation found" in text(response)
    assert "BEDFORDSHIRE HOSPITALS NHS FOUNDATION TRUST" in text(response)
    response = client.get("/organisations/", {"q": "rc9", "kind": "icb"})
    assert "No organisations found" in text(response)


def test_search_with_an_unknown_kind_says_so(client, mini_registry):
    response = client.get("/organisations/", {"q": "frimley", "kind": "castle"})
    assert response.status_code == 200
    assert '"castle" is not a kind of organisation' in text(response)


def test_search_paginates_with_linkable_pages(client, db):
    for n in range(30):
        OrganisationFactory(ods_code=f"RX{n:02d}", name=f"Alpha {n:02d} NHS Trust")
    first = client.get("/organisations/", {"q": "alpha"})
    assert "30 organisations found" in text(first)
    assert "Alpha 24 NHS Trust" in text(first) and "Alpha 25 NHS Trust" not in text(first)
    assert 'href="?q=alpha&amp;page=2"' in first.content.decode()
    second = client.get("/organisations/", {"q": "alpha", "page": 2})
    assert "Alpha 25 NHS Trust" in text(second) and "Alpha 24 NHS Trust" not in text(second)


def test_search_page_without_a_query_shows_only_the_form(client, db):
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "found" not in text(response)
    assert '<label class="nhsuk-label" for="q">' in response.content.decode()


def test_detail_shows_hierarchy_successors_facts_and_history(client, mini_registry):
    response = client.get("/organisations/RC9/", {"on": "2025-06-01"})
    assert response.status_code == 200
    page = text(response)
    assert "Where it sat on 1 June 2025" in page
    assert "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board QHG" in page
    assert "Trust type (NHS England EPR programme) Acute 1 October 2024" in page
    assert "Acute" in page
    after = text(client.get("/organisations/RC9/", {"on": "2026-06-01"}))
    assert "NHS Central East Integrated Care Board S1Y5D" in after


def test_a_closed_icb_page_shows_its_successors_and_members_on_its_last_day(client, mini_registry):
    page = text(client.get("/organisations/QNQ/"))
    assert "Closed" in page
    assert "31 March 2026 was its last day (closed from 1 April 2026)" in page
    assert "Successor NHS Surrey and Sussex Integrated Care Board S9B9J Split 1 April 2026" in page
    assert "Successor NHS Hampshire and Isle of Wight Integrated Care Board QRL Acquisition" in page
    assert "FRIMLEY HEALTH NHS FOUNDATION TRUST" in page  # one of its trusts on its last day


def test_codes_are_case_insensitive_in_urls(client, mini_registry):
    response = client.get("/organisations/rc9/", {"on": "2025-06-01"})
    assert response.status_code == 302
    assert response["Location"] == "/organisations/RC9/?on=2025-06-01"


def test_a_bad_date_is_explained_not_a_server_error(client, mini_registry):
    response = client.get("/organisations/RC9/", {"on": "2025-13-01"})
    assert response.status_code == 400
    assert '"2025-13-01" is not a date. Enter a date like 2026-04-01.' in text(response)


def test_unknown_code_is_a_404_page(client, db):
    response = client.get("/organisations/NOPE1/")
    assert response.status_code == 404
    assert "Page not found" in text(response)


@pytest.mark.django_db
def test_detail_template_leaves_a_results_block_to_fill(mini_registry, rf):
    child = engines["jinja2"].from_string(
        '{% extends "organisations/detail.jinja" %}{% block results %}<h2>RESULTS HERE</h2>{% endblock %}'
    )
    organisation = get_organisation("RC9")
    html = child.render(
        {
            "d": organisation_detail(organisation, dt.date(2025, 6, 1)),
            "today": dt.date(2025, 6, 1),
            "status": type("S", (), {"text": "Open", "colour": "green"})(),
            "raw_on": "",
            "on_error": "",
            "last_day_open": None,
            "fact_label": str,
            "fact_value": lambda f: f.value,
            "care_setting_label": str,
            "kind_plural": str,
        },
        request=rf.get("/"),
    )
    assert "<h2>RESULTS HERE</h2>" in html
