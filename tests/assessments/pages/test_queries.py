"""Query counts: the task list and the domain page cost the same whatever a return holds (no
N+1 over domains, answers, evidence, comments or assignments)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maturity.assessments import services

from .factories import DOMAIN, answer, answer_everything

pytestmark = pytest.mark.django_db

OVERVIEW_MAX = 25
DOMAIN_MAX = 25


def _count(client, url) -> int:
    client.get(url)  # warm caches (session, edition)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill(world, n: int) -> None:
    """n comments with a reply each, n links, an assignment per domain."""
    for i in range(n):
        thread = services.comment_add(
            by=world.contributor, return_=world.bath_return, domain_id=DOMAIN, body=f"Query {i}"
        )
        services.comment_add(
            by=world.submitter,
            return_=world.bath_return,
            domain_id=DOMAIN,
            body=f"Reply {i}",
            parent=thread,
        )
        services.evidence_add_link(
            by=world.contributor,
            return_=world.bath_return,
            domain_id=DOMAIN,
            url=f"https://example.nhs.uk/{i}",
        )
    from maturity.frameworks.selectors import get_edition

    for domain in get_edition("wgll-2025").domains_for("acute")[:n]:
        services.domain_assign(
            by=world.submitter,
            return_=world.bath_return,
            domain_id=domain.id,
            assignee=world.contributor,
        )


def test_task_list_queries(world, as_user, django_assert_max_num_queries):
    client = as_user(world.contributor)
    url = reverse("assessments:return", args=[world.bath_return.pk])
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    _fill(world, 1)
    few = _count(client, url)
    answer_everything(world.bath_return, world.contributor)
    _fill(world, 6)
    many = _count(client, url)
    assert many == few
    with django_assert_max_num_queries(OVERVIEW_MAX):
        client.get(url)


def test_domain_page_queries(world, as_user, django_assert_max_num_queries):
    client = as_user(world.contributor)
    url = reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN])
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    _fill(world, 1)
    one = _count(client, url)
    _fill(world, 5)
    answer_everything(world.bath_return, world.contributor)
    many = _count(client, url)
    assert many == one
    with django_assert_max_num_queries(DOMAIN_MAX):
        client.get(url)


def test_your_returns_queries_do_not_grow_with_returns(
    world, as_user, django_assert_max_num_queries
):
    client = as_user(world.analyst)
    url = reverse("assessments:index")
    few = _count(client, url)
    from .factories import open_cycle

    open_cycle(world.analyst, year=2025)
    more = _count(client, url)
    assert more == few
    with django_assert_max_num_queries(12):
        client.get(url)
