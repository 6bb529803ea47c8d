"""Assigning domains and query threads on a domain."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from maturity.assessments import selectors, services
from maturity.assessments.exceptions import IllegalTransition, InvalidInput
from maturity.assessments.models import Assignment, Comment
from maturity.audit.models import AuditRecord

from .factories import answer_everything, return_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_acute(cohort, cycle):
    return return_of(cycle, cohort.alpha, "acute")


def test_assigning_a_domain_and_reassigning_it(cohort, alpha_acute):
    first = services.domain_assign(
        by=cohort.alpha_submitter,
        return_=alpha_acute,
        domain_id="sf.epr",
        assignee=cohort.alpha_contributor,
    )
    assert (first.assignee, first.assigned_by) == (cohort.alpha_contributor, cohort.alpha_submitter)
    again = services.domain_assign(
        by=cohort.alpha_contributor,
        return_=alpha_acute,
        domain_id="sf.epr",
        assignee=cohort.alpha_contributor_2,
    )
    assert again.pk == first.pk and Assignment.objects.get().assignee == cohort.alpha_contributor_2
    tasks = selectors.return_task_list(alpha_acute)
    epr = next(d for p in tasks.pillars for d in p.domains if d.domain_id == "sf.epr")
    assert epr.assignee_name == "Alpha_contributor_2"
    assert (
        services.domain_assign(
            by=cohort.alpha_submitter, return_=alpha_acute, domain_id="sf.epr", assignee=None
        )
        is None
    )
    assert not Assignment.objects.exists()
    records = AuditRecord.objects.filter(action="assignment.changed")
    assert [(r.before["assignee"], r.after["assignee"]) for r in records] == [
        (None, cohort.alpha_contributor.pk),
        (cohort.alpha_contributor.pk, cohort.alpha_contributor_2.pk),
        (cohort.alpha_contributor_2.pk, None),
    ]


def test_any_contributor_may_still_edit_an_assigned_domain(cohort, alpha_acute):
    services.domain_assign(
        by=cohort.alpha_submitter,
        return_=alpha_acute,
        domain_id="sf.epr",
        assignee=cohort.alpha_contributor,
    )
    saved = services.answer_save(
        by=cohort.alpha_contributor_2,
        return_=alpha_acute,
        item_id="sf.epr.l1.a",
        value="met",
        expected_version=None,
    )
    assert saved.version == 1


def test_assignees_are_the_organisations_contributors_and_submitters(cohort, alpha_acute):
    for outsider in (cohort.beta_contributor, cohort.lead_a, cohort.alpha_reviewer):
        with pytest.raises(InvalidInput, match="is not a contributor or submitter of Alpha"):
            services.domain_assign(
                by=cohort.alpha_submitter,
                return_=alpha_acute,
                domain_id="sf.epr",
                assignee=outsider,
            )
    with pytest.raises(PermissionDenied):
        services.domain_assign(
            by=cohort.beta_submitter,
            return_=alpha_acute,
            domain_id="sf.epr",
            assignee=cohort.alpha_contributor,
        )
    with pytest.raises(InvalidInput, match="not a domain"):
        services.domain_assign(
            by=cohort.alpha_submitter,
            return_=alpha_acute,
            domain_id="zz.none",
            assignee=cohort.alpha_contributor,
        )
    people = selectors.assignable_people(alpha_acute)
    assert {u.username for u in people} == {
        "alpha_submitter",
        "alpha_contributor",
        "alpha_contributor_2",
    }


def test_query_threads(cohort, alpha_acute):
    query = services.comment_add(
        by=cohort.lead_a,  # a system lead can see the return and raise a query
        return_=alpha_acute,
        domain_id="sf.epr",
        body="Level 4 needs evidence of the go-live report.",
    )
    reply = services.comment_add(
        by=cohort.alpha_contributor,
        return_=alpha_acute,
        domain_id="sf.epr",
        body="Attached it now.",
        parent=query,
    )
    with pytest.raises(InvalidInput, match="first comment"):
        services.comment_add(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            domain_id="sf.epr",
            body="Nested",
            parent=reply,
        )
    with pytest.raises(InvalidInput, match="own return and domain"):
        services.comment_add(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            domain_id="wl.strategy",
            body="Elsewhere",
            parent=query,
        )
    page = selectors.domain_page_data(alpha_acute, "sf.epr")
    assert [c.pk for c in page.comments] == [query.pk]
    assert [r.pk for r in page.comments[0].replies.all()] == [reply.pk]

    resolved = services.comment_resolve(by=cohort.lead_a, comment=query)
    assert resolved.resolved_by == cohort.lead_a
    with pytest.raises(IllegalTransition, match="resolved"):
        services.comment_add(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            domain_id="sf.epr",
            body="One more thing",
            parent=query,
        )
    with pytest.raises(InvalidInput, match="from its first comment"):
        services.comment_resolve(by=cohort.lead_a, comment=reply)
    services.comment_resolve(by=cohort.alpha_submitter, comment=query)  # no change
    assert Comment.objects.get(pk=query.pk).resolved_by == cohort.lead_a
    assert [r.action for r in AuditRecord.objects.filter(action__startswith="comment.")] == [
        "comment.added",
        "comment.added",
        "comment.resolved",
    ]


def test_comments_continue_after_commit(cohort, alpha_acute):
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    comment = services.comment_add(
        by=cohort.analyst, return_=alpha_acute, domain_id="sf.epr", body="Why level 5?"
    )
    assert comment.author == cohort.analyst


@pytest.mark.parametrize("who", ["beta_contributor", "lead_c", "nobody", "panel"])
def test_people_who_cannot_see_the_return_cannot_comment(cohort, alpha_acute, who):
    with pytest.raises(PermissionDenied):
        services.comment_add(
            by=getattr(cohort, who), return_=alpha_acute, domain_id="sf.epr", body="Hello"
        )


def test_comment_text(cohort, alpha_acute):
    with pytest.raises(InvalidInput, match="Enter the comment"):
        services.comment_add(
            by=cohort.alpha_contributor, return_=alpha_acute, domain_id="sf.epr", body="  "
        )
    with pytest.raises(InvalidInput, match="at most 10,000 characters"):
        services.comment_add(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            domain_id="sf.epr",
            body="x" * 10_001,
        )
