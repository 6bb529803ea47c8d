"""Writes: who may make them, what they check, and what they record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from maturity.commitments import selectors, services
from maturity.commitments.models import (
    Commitment,
    Evaluation,
    GovernmentResponse,
    Metric,
    Observation,
    SuggestionDecision,
)
from maturity.commitments.services import CommitmentData, MetricData, RatingInput

from .conftest import make_commitment, make_metric

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def ratings(met=None, **others) -> dict[str, RatingInput]:
    result = {"met_or_on_track": RatingInput(met, "Because." if met else "")}
    for key, value in others.items():
        result[key] = RatingInput(value, "Because.", "Evidence.")
    return result


# --- permissions -------------------------------------------------------------------------------


def test_only_analysts_create_commitments(panel_member, contributor):
    for user in (panel_member, contributor):
        with pytest.raises(PermissionDenied):
            make_commitment(user)
    assert Commitment.objects.count() == 0


def test_only_analysts_write_evidence(panel_member, commitment, metric, open_round):
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            by=panel_member,
            commitment=commitment,
            data=CommitmentData(
                slug="x", title="x", text="x", policy_area="care", source_document="x", citation="x"
            ),
        )
    with pytest.raises(PermissionDenied):
        services.deadline_revise(
            by=panel_member, commitment=commitment, new_deadline=dt.date(2030, 1, 1), source="x"
        )
    with pytest.raises(PermissionDenied):
        make_metric(panel_member, commitment, slug="other")
    with pytest.raises(PermissionDenied):
        services.metric_update(
            by=panel_member, metric=metric, data=MetricData(slug="m", name="m", unit="%")
        )
    with pytest.raises(PermissionDenied):
        services.observation_add(
            by=panel_member, metric=metric, observed_on=dt.date(2024, 1, 1), value=1.0, source="x"
        )
    with pytest.raises(PermissionDenied):
        services.observations_import(by=panel_member, content=b"")
    with pytest.raises(PermissionDenied):
        services.derive_observations(by=panel_member)
    with pytest.raises(PermissionDenied):
        services.round_create(by=panel_member, name="r", held_on=TODAY, panel="p")
    with pytest.raises(PermissionDenied):
        services.round_close(by=panel_member, evaluation_round=open_round)
    with pytest.raises(PermissionDenied):
        services.government_response_add(
            by=panel_member, evaluation_round=open_round, responded_on=TODAY, text="t", source="s"
        )


def test_only_panel_members_rate(analyst, contributor, commitment, open_round):
    for user in (analyst, contributor):
        with pytest.raises(PermissionDenied):
            services.evaluation_save(
                by=user, commitment=commitment, evaluation_round=open_round, ratings=ratings()
            )
    assert Evaluation.objects.count() == 0


def test_a_revoked_role_no_longer_allows_writes(analyst, england):
    from maturity.accounts.models import Membership
    from maturity.accounts.services import membership_revoke

    membership_revoke(membership=Membership.objects.get(user=analyst), by=analyst)
    with pytest.raises(PermissionDenied):
        make_commitment(analyst)


# --- commitments ---------------------------------------------------------------------------------


def test_commitment_links_are_checked_against_wgll_2025(analyst):
    with pytest.raises(ValidationError) as caught:
        make_commitment(analyst, domain_ids=["sf.epr", "sf.nope"], question_ids=["ctx.nope"])
    assert set(caught.value.message_dict) == {"domain_ids", "question_ids"}
    assert "sf.nope" in caught.value.message_dict["domain_ids"][0]


def test_commitment_slug_must_be_free_and_not_reserved(analyst, commitment):
    with pytest.raises(ValidationError) as caught:
        make_commitment(analyst, slug=commitment.slug)
    assert "slug" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_commitment(analyst, slug="summary")
    assert "used by the service" in caught.value.message_dict["slug"][0]


def test_commitment_update_records_who(analyst, commitment):
    data = CommitmentData(
        slug="renamed",
        title="New",
        text="t",
        policy_area="workforce",
        source_document="d",
        citation="c",
        funding_committed_gbp=Decimal("2000000000"),
    )
    services.commitment_update(by=analyst, commitment=commitment, data=data)
    commitment.refresh_from_db()
    assert (commitment.slug, commitment.policy_area, commitment.updated_by) == (
        "renamed",
        "workforce",
        analyst,
    )


def test_negative_funding_is_refused(analyst):
    with pytest.raises(ValidationError):
        make_commitment(analyst, funding_committed_gbp=Decimal("-1"))


def test_deadline_revisions_keep_the_history(analyst, commitment):
    services.deadline_revise(
        by=analyst,
        commitment=commitment,
        new_deadline=dt.date(2027, 3, 31),
        source="First revision",
    )
    services.deadline_revise(
        by=analyst,
        commitment=commitment,
        new_deadline=dt.date(2028, 3, 31),
        new_deadline_label="March 2028",
        source="Second revision",
    )
    commitment = selectors.get_commitment(commitment.slug)
    page = selectors.commitment_page(commitment, as_of=TODAY)
    assert [d.deadline for d in page.deadlines] == [
        dt.date(2026, 3, 31),
        dt.date(2027, 3, 31),
        dt.date(2028, 3, 31),
    ]
    assert [d.is_current for d in page.deadlines] == [False, False, True]
    assert commitment.current_deadline == dt.date(2028, 3, 31)
    assert commitment.current_deadline_label == "March 2028"
    with pytest.raises(ValidationError):
        services.deadline_revise(
            by=analyst, commitment=commitment, new_deadline=dt.date(2029, 1, 1), source="  "
        )


# --- metrics and observations ---------------------------------------------------------------------


def test_one_primary_metric_per_commitment(analyst, commitment, metric):
    other = make_metric(analyst, commitment, slug="second")
    metric.refresh_from_db()
    assert other.is_primary and not metric.is_primary
    with pytest.raises(IntegrityError):
        Metric.objects.filter(pk=metric.pk).update(is_primary=True)


def test_metric_checks(analyst, commitment, metric):
    with pytest.raises(ValidationError) as caught:
        make_metric(analyst, commitment, slug=metric.slug)
    assert "slug" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_metric(
            analyst,
            commitment,
            slug="b",
            baseline_date=None,
            baseline_source="",
            target_source="",
            target_value=120.0,
            minimum=5.0,
            maximum=1.0,
        )
    assert set(caught.value.message_dict) >= {
        "baseline_date",
        "baseline_source",
        "target_source",
        "maximum",
    }


def test_observation_add(analyst, metric):
    obs = services.observation_add(
        by=analyst,
        metric=metric,
        observed_on=dt.date(2024, 3, 31),
        value=91.5,
        source=" NHS England ",
        date_label="March 2024",
    )
    assert (obs.provenance, obs.entered_by, obs.source) == ("entered", analyst, "NHS England")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"observed_on": TODAY + dt.timedelta(days=1)}, "observed_on"),
        ({"value": 100.5}, "value"),
        ({"value": -1.0}, "value"),
        ({"value": float("nan")}, "value"),
        ({"source": " "}, "source"),
    ],
)
def test_observation_add_refuses_bad_values(analyst, metric, kwargs, field):
    args = {"observed_on": dt.date(2024, 1, 1), "value": 50.0, "source": "S"} | kwargs
    with pytest.raises(ValidationError) as caught:
        services.observation_add(by=analyst, metric=metric, **args)
    assert field in caught.value.message_dict
    assert Observation.objects.count() == 0


def test_observation_add_refuses_a_duplicate(analyst, metric):
    services.observation_add(
        by=analyst, metric=metric, observed_on=dt.date(2024, 1, 1), value=50.0, source="S"
    )
    with pytest.raises(ValidationError):
        services.observation_add(
            by=analyst, metric=metric, observed_on=dt.date(2024, 1, 1), value=51.0, source="S"
        )


# --- trajectories through the selectors ------------------------------------------------------------


def test_trajectory_uses_the_baseline_and_leaves_out_demonstration_data(analyst, commitment):
    # Baseline 80 on 2022-01-01, then +5 a year exactly: the fit is exact.
    metric = make_metric(analyst, commitment, baseline_date=dt.date(2022, 1, 1))
    for year, value in ((2023, 85.0), (2024, 90.0)):
        services.observation_add(
            by=analyst, metric=metric, observed_on=dt.date(year, 1, 1), value=value, source="S"
        )
    Observation.objects.create(
        metric=metric,
        observed_on=dt.date(2024, 6, 1),
        value=10.0,
        source="demo",
        provenance="derived",
        is_demonstration=True,
    )
    commitment = selectors.get_commitment(commitment.slug)
    metric = selectors.primary_metric(commitment)
    points = selectors.fit_points(metric, dt.date(2025, 1, 1))
    assert [v for _, v, _ in points] == [80.0, 85.0, 90.0]
    trajectory = selectors.metric_trajectory(metric, dt.date(2026, 1, 1), dt.date(2025, 1, 1))
    assert trajectory.n == 3
    assert trajectory.slope_per_year == pytest.approx(5.0, abs=0.02)
    assert trajectory.fitted_at_deadline == pytest.approx(100.0, abs=0.1)
    assert trajectory.lower == pytest.approx(trajectory.upper, abs=1e-6)  # exactly linear


def test_suggestion_follows_the_trajectory(analyst, commitment):
    metric = make_metric(
        analyst, commitment, baseline_value=40.0, baseline_date=dt.date(2022, 1, 1)
    )
    for year, value in ((2023, 52.0), (2024, 58.0), (2025, 71.0)):
        services.observation_add(
            by=analyst, metric=metric, observed_on=dt.date(year, 1, 1), value=value, source="S"
        )
    commitment = selectors.get_commitment(commitment.slug)
    as_of = dt.date(2025, 6, 1)  # deadline 2026-03-31 is ahead
    suggestion = selectors.suggestion_for(commitment, as_of=as_of)
    trajectory = selectors.metric_trajectory(
        selectors.primary_metric(commitment), commitment.current_deadline, as_of
    )
    assert trajectory.probability_on_time is not None
    assert suggestion.branch in {"on_track_high_confidence", "on_track", "at_risk", "off_track"}
    # About +10 a year from 40 reaches ~83 by March 2026: far short of 100.
    assert suggestion.rating == "inadequate"


def test_no_metric_no_suggestion(commitment):
    assert selectors.suggestion_for(commitment, as_of=TODAY).branch == "no_target"


def test_trajectory_with_all_points_on_one_date_is_none(analyst, commitment):
    metric = make_metric(
        analyst, commitment, baseline_value=None, baseline_date=None, baseline_source=""
    )
    for source in ("A", "B"):
        services.observation_add(
            by=analyst, metric=metric, observed_on=dt.date(2024, 1, 1), value=50.0, source=source
        )
    commitment = selectors.get_commitment(commitment.slug)
    assert (
        selectors.metric_trajectory(
            selectors.primary_metric(commitment), dt.date(2026, 1, 1), TODAY
        )
        is None
    )


# --- evaluations ------------------------------------------------------------------------------------


@pytest.fixture
def suggested_good(analyst, commitment):
    """A commitment whose suggestion is Good: the target met after the deadline."""
    metric = make_metric(analyst, commitment)
    services.deadline_revise(
        by=analyst, commitment=commitment, new_deadline=dt.date(2023, 1, 1), source="S"
    )
    services.observation_add(
        by=analyst, metric=metric, observed_on=dt.date(2024, 1, 1), value=100.0, source="S"
    )
    return selectors.get_commitment(commitment.slug)


def test_confirming_the_suggestion(panel_member, suggested_good, open_round):
    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=suggested_good,
        evaluation_round=open_round,
        ratings=ratings("good", overall="good"),
        suggestion_seen="good",
    )
    assert evaluation.suggestion_decision == SuggestionDecision.CONFIRMED
    assert evaluation.suggested_met_or_on_track == "good"
    assert "Good if" in evaluation.suggestion_rule
    assert evaluation.override_reason == ""
    assert evaluation.evaluated_by == panel_member


def test_overriding_needs_a_reason(panel_member, suggested_good, open_round):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_save(
            by=panel_member,
            commitment=suggested_good,
            evaluation_round=open_round,
            ratings=ratings("outstanding"),
        )
    assert "override_reason" in caught.value.message_dict
    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=suggested_good,
        evaluation_round=open_round,
        ratings=ratings("outstanding"),
        override_reason="Met within weeks of the deadline.",
    )
    assert evaluation.suggestion_decision == SuggestionDecision.OVERRIDDEN
    assert evaluation.override_reason == "Met within weeks of the deadline."


def test_leaving_met_unknown_against_a_suggestion_is_an_override(
    panel_member, suggested_good, open_round
):
    with pytest.raises(ValidationError):
        services.evaluation_save(
            by=panel_member,
            commitment=suggested_good,
            evaluation_round=open_round,
            ratings=ratings(None),
        )


def test_no_suggestion_needs_no_reason(panel_member, commitment, open_round):
    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings=ratings("inadequate"),
    )
    assert evaluation.suggestion_decision == SuggestionDecision.NO_SUGGESTION


def test_a_rating_needs_a_rationale(panel_member, commitment, open_round):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_save(
            by=panel_member,
            commitment=commitment,
            evaluation_round=open_round,
            ratings={"overall": RatingInput("good", "")},
        )
    assert "overall_rationale" in caught.value.message_dict


def test_a_changed_suggestion_is_refused(panel_member, suggested_good, open_round):
    with pytest.raises(services.SuggestionChanged):
        services.evaluation_save(
            by=panel_member,
            commitment=suggested_good,
            evaluation_round=open_round,
            ratings=ratings("good"),
            suggestion_seen="",
        )


def test_saving_again_in_a_round_replaces_and_a_closed_round_refuses(
    analyst, panel_member, commitment, open_round
):
    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings=ratings("inadequate"),
    )
    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings=ratings("requires_improvement"),
    )
    assert Evaluation.objects.get().met_or_on_track == "requires_improvement"
    services.round_close(by=analyst, evaluation_round=open_round)
    with pytest.raises(PermissionDenied):
        services.evaluation_save(
            by=panel_member,
            commitment=commitment,
            evaluation_round=open_round,
            ratings=ratings("good"),
        )
    assert Evaluation.objects.get().met_or_on_track == "requires_improvement"


def test_history_across_rounds(analyst, panel_member, commitment, open_round):
    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings=ratings("inadequate", overall="inadequate"),
    )
    services.round_close(by=analyst, evaluation_round=open_round)
    later = services.round_create(
        by=analyst, name="2027 evaluation", held_on=dt.date(2027, 6, 1), panel="Panel"
    )
    services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=later,
        ratings=ratings("good", overall="good"),
    )
    page = selectors.commitment_page(selectors.get_commitment(commitment.slug), as_of=TODAY)
    assert [e.evaluation.round.name for e in page.evaluations] == [
        "2027 evaluation",
        "2026 evaluation",
    ]
    assert [e.evaluation.overall for e in page.evaluations] == ["good", "inadequate"]


def test_round_names_are_unique_per_date(analyst, open_round):
    with pytest.raises(ValidationError):
        services.round_create(
            by=analyst, name=open_round.name, held_on=open_round.held_on, panel="p"
        )


def test_government_responses(analyst, panel_member, commitment, open_round):
    evaluation = services.evaluation_save(
        by=panel_member,
        commitment=commitment,
        evaluation_round=open_round,
        ratings=ratings("inadequate"),
    )
    response = services.government_response_add(
        by=analyst,
        evaluation_round=open_round,
        evaluation=evaluation,
        responded_on=dt.date(2026, 8, 1),
        text="We disagree.",
        source="HC 1",
    )
    assert response.recorded_by == analyst
    with pytest.raises(ValidationError) as caught:
        services.government_response_add(
            by=analyst,
            evaluation_round=open_round,
            responded_on=dt.date(2026, 1, 1),
            text=" ",
            source="",
        )
    assert set(caught.value.message_dict) == {"text", "source", "responded_on"}
    other = services.round_create(by=analyst, name="Other", held_on=dt.date(2026, 1, 1), panel="p")
    with pytest.raises(ValidationError) as caught:
        services.government_response_add(
            by=analyst,
            evaluation_round=other,
            evaluation=evaluation,
            responded_on=dt.date(2026, 9, 1),
            text="t",
            source="s",
        )
    assert "evaluation" in caught.value.message_dict
    assert GovernmentResponse.objects.count() == 1


def test_database_refuses_an_override_without_reason(panel_member, commitment, open_round):
    evaluation = services.evaluation_save(
        by=panel_member, commitment=commitment, evaluation_round=open_round, ratings=ratings()
    )
    with pytest.raises(IntegrityError):
        Evaluation.objects.filter(pk=evaluation.pk).update(suggestion_decision="overridden")


def test_trajectory_and_probability_match_an_independent_fit(analyst, commitment):
    """A noisy known series: slope, fitted value, 80% interval and probability agree with a
    straightforward numpy/scipy least-squares computation."""
    import numpy as np
    from scipy import stats

    metric = make_metric(
        analyst, commitment, baseline_value=40.0, baseline_date=dt.date(2022, 1, 1)
    )
    series = [(dt.date(2023, 1, 1), 52.0), (dt.date(2024, 1, 1), 58.0), (dt.date(2025, 1, 1), 71.0)]
    for day, value in series:
        services.observation_add(
            by=analyst, metric=metric, observed_on=day, value=value, source="S"
        )
    deadline, as_of = dt.date(2026, 3, 31), dt.date(2025, 6, 1)
    commitment = selectors.get_commitment(commitment.slug)
    trajectory = selectors.metric_trajectory(selectors.primary_metric(commitment), deadline, as_of)

    days = [dt.date(2022, 1, 1)] + [d for d, _ in series]
    x = np.array([(d - days[0]).days / 365.25 for d in days])
    y = np.array([40.0] + [v for _, v in series])
    slope, intercept = np.polyfit(x, y, 1)
    xd = (deadline - days[0]).days / 365.25
    fitted = intercept + slope * xd
    n = len(x)
    s = np.sqrt(np.sum((y - (intercept + slope * x)) ** 2) / (n - 2))
    se = s * np.sqrt(1 + 1 / n + (xd - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    half = stats.t.ppf(0.9, n - 2) * se
    assert trajectory.slope_per_year == pytest.approx(slope)
    assert trajectory.fitted_at_deadline == pytest.approx(fitted)
    assert (trajectory.lower, trajectory.upper) == pytest.approx((fitted - half, fitted + half))
    assert trajectory.probability_on_time == pytest.approx(stats.t.sf((100 - fitted) / se, n - 2))
    assert trajectory.interval_level == 0.8
