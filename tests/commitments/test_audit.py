"""Every write to the commitments tracker leaves an attributed audit record in its transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maturity.audit.models import AuditRecord
from maturity.commitments import services
from maturity.commitments.models import Observation
from maturity.commitments.seeding import seed_commitments
from maturity.commitments.services import CommitmentData, MetricData, RatingInput

from .conftest import make_commitment, make_metric

pytestmark = pytest.mark.django_db


def last(action: str) -> AuditRecord:
    return AuditRecord.objects.filter(action=action).order_by("-sequence").first()


def actions() -> list[str]:
    return list(AuditRecord.objects.order_by("sequence").values_list("action", flat=True))


def target(instance) -> tuple[str, str]:
    return f"{instance._meta.app_label}.{instance._meta.model_name}", str(instance.pk)


def test_creating_and_changing_a_commitment(analyst):
    commitment = make_commitment(analyst)
    created = last("commitment.created")
    assert (created.target_type, created.target_id) == target(commitment)
    assert created.actor_id == analyst.pk
    assert created.after["slug"] == "epr-all-trusts"
    assert created.after["original_deadline"] == "2026-03-31"
    assert created.after["domain_ids"] == ["sf.epr"]

    services.commitment_update(
        by=analyst,
        commitment=commitment,
        data=CommitmentData(
            slug="epr-all-trusts",
            title="EPRs in every trust",
            text="All trusts to have an electronic patient record.",
            policy_area="cost_efficiency",
            source_document="A plan for digital health and social care",
            citation="Test citation",
            original_deadline=dt.date(2026, 3, 31),
            domain_ids=["sf.epr"],
            question_ids=["ctx.epr_in_place"],
        ),
    )
    changed = last("commitment.changed")
    assert (changed.target_type, changed.target_id) == target(commitment)
    # Only what changed is recorded.
    assert changed.before == {"title": "EPRs in all trusts"}
    assert changed.after == {"title": "EPRs in every trust"}


def test_revising_a_deadline(analyst, commitment):
    services.deadline_revise(
        by=analyst,
        commitment=commitment,
        new_deadline=dt.date(2027, 3, 31),
        new_deadline_label="March 2027",
        source="A later plan",
    )
    record = last("commitment.deadline_revised")
    assert (record.target_type, record.target_id) == target(commitment)
    assert record.before == {"deadline": "2026-03-31"}
    assert record.after["new_deadline"] == "2027-03-31"
    assert record.after["source"] == "A later plan"
    services.deadline_revise(
        by=analyst, commitment=commitment, new_deadline=dt.date(2028, 3, 31), source="Later still"
    )
    assert last("commitment.deadline_revised").before == {"deadline": "2027-03-31"}


def test_adding_and_changing_a_metric(analyst, commitment):
    metric = make_metric(analyst, commitment)
    added = last("commitment.metric_added")
    assert (added.target_type, added.target_id) == target(commitment)
    assert added.before is None
    assert added.after["metric"] == metric.pk and added.after["target_value"] == 100.0
    services.metric_update(
        by=analyst,
        metric=metric,
        data=MetricData(
            slug="trusts-with-epr",
            name="Trusts with an EPR",
            unit="%",
            is_primary=True,
            baseline_value=80.0,
            baseline_date=dt.date(2022, 1, 1),
            baseline_source="Baseline source",
            target_value=90.0,
            target_source="Target source",
            minimum=0.0,
            maximum=100.0,
        ),
    )
    changed = last("commitment.metric_changed")
    assert changed.before == {"target_value": 100.0}
    assert changed.after == {"metric": metric.pk, "metric_slug": metric.slug, "target_value": 90.0}


def test_adding_an_observation(analyst, metric):
    observation = services.observation_add(
        by=analyst, metric=metric, observed_on=dt.date(2024, 1, 31), value=85.5, source="A survey"
    )
    record = last("commitment.observation_added")
    assert (record.target_type, record.target_id) == target(metric.commitment)
    assert record.actor_id == analyst.pk
    assert record.after["observation"] == observation.pk
    assert record.after["value"] == 85.5 and record.after["provenance"] == "entered"


def test_importing_observations(analyst, commitment, metric):
    other = make_metric(analyst, commitment, slug="other", is_primary=False)
    content = (
        "commitment,metric,date,value,source\n"
        f"{commitment.slug},{metric.slug},2024-01-31,85,File\n"
        f"{commitment.slug},{metric.slug},2024-06-30,88,File\n"
        f"{commitment.slug},{other.slug},2024-06-30,5,File\n"
    ).encode()
    services.observations_import(by=analyst, content=content)
    records = AuditRecord.objects.filter(action="commitment.observations_imported")
    assert records.count() == 2  # one per metric the file added to
    by_metric = {r.after["metric_slug"]: r for r in records}
    assert by_metric[metric.slug].after["created"] == 2
    assert [o["value"] for o in by_metric[metric.slug].after["observations"]] == [85.0, 88.0]
    assert by_metric[other.slug].after["created"] == 1
    assert all(r.actor_id == analyst.pk for r in records)


def test_a_refused_write_leaves_no_record(analyst, panel_member, commitment, metric):
    before = AuditRecord.objects.count()
    with pytest.raises(services.ImportRejected):
        services.observations_import(
            by=analyst, content=b"commitment,metric,date,value,source\nx,y,bad,1,s\n"
        )
    with pytest.raises(ValidationError):
        services.observation_add(
            by=analyst, metric=metric, observed_on=dt.date(2024, 1, 1), value=150.0, source="s"
        )
    with pytest.raises(PermissionDenied):
        make_commitment(panel_member, slug="other")
    assert AuditRecord.objects.count() == before


def test_rounds_evaluations_and_responses(analyst, panel_member, commitment, metric, open_round):
    opened = last("commitment.round_opened")
    assert (opened.target_type, opened.target_id) == target(open_round)
    assert opened.after["name"] == "2026 evaluation" and opened.after["is_open"] is True

    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings={
            "met_or_on_track": RatingInput("good", "On track."),
            "overall": RatingInput("good", "Fine.", "The trend."),
        },
        override_reason="The latest survey is more recent than the data.",
        as_of=dt.date(2024, 1, 1),
    )
    rated = last("commitment.evaluated")
    assert (rated.target_type, rated.target_id) == target(commitment)
    assert rated.actor_id == panel_member.pk
    assert rated.before is None
    assert rated.after["round"] == open_round.pk and rated.after["evaluation"] == evaluation.pk
    assert rated.after["met_or_on_track"] == "good"
    assert rated.after["suggestion_decision"] == evaluation.suggestion_decision
    assert rated.reason == evaluation.override_reason

    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings={
            "met_or_on_track": RatingInput("good", "On track."),
            "overall": RatingInput("requires_improvement", "On reflection.", "The trend."),
        },
        override_reason="The latest survey is more recent than the data.",
        as_of=dt.date(2024, 1, 1),
    )
    again = last("commitment.evaluated")
    assert again.before == {"overall": "good", "overall_rationale": "Fine."}
    assert again.after["overall"] == "requires_improvement"

    services.government_response_add(
        by=analyst,
        evaluation_round=open_round,
        evaluation=evaluation,
        responded_on=dt.date(2026, 7, 1),
        text="We accept this.",
        source="Hansard",
    )
    response = last("commitment.response_recorded")
    assert (response.target_type, response.target_id) == target(commitment)
    assert response.after["evaluation"] == evaluation.pk and response.after["text"] == (
        "We accept this."
    )
    services.government_response_add(
        by=analyst,
        evaluation_round=open_round,
        responded_on=dt.date(2026, 7, 1),
        text="Overall we disagree.",
        source="Hansard",
    )
    assert (last("commitment.response_recorded").target_id) == str(open_round.pk)

    services.round_close(by=analyst, evaluation_round=open_round)
    closed = last("commitment.round_closed")
    assert (closed.before, closed.after) == ({"is_open": True}, {"is_open": False})
    count = AuditRecord.objects.count()
    services.round_close(by=analyst, evaluation_round=open_round)  # already closed: no change
    assert AuditRecord.objects.count() == count


def test_seeding_and_deriving_are_recorded_as_system_actions(db):
    seed_commitments()
    seeded = last("commitment.seeded")
    assert seeded.actor_id is None and seeded.actor_label == "System"
    assert seeded.after["created"]["commitments"] > 0
    services.derive_observations()
    derived = last("commitment.observations_derived")
    assert derived.actor_id is None
    assert (
        sum(derived.after["written"].values())
        == Observation.objects.filter(provenance="derived").count()
    )


def test_seeding_by_a_person_needs_an_analyst(analyst, panel_member):
    with pytest.raises(PermissionDenied):
        seed_commitments(by=panel_member)
    assert "commitment.seeded" not in actions()
    seed_commitments(by=analyst)
    assert last("commitment.seeded").actor_id == analyst.pk
