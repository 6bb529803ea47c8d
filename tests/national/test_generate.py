"""The national generator: shape and determinism on the small size."""

from __future__ import annotations

import pytest

from maturity.assessments.models import Answer, Cycle, Return, ReturnStatus, Score
from maturity.national.generate import GenerationError, generate_national
from maturity.national.models import InflatedReturn
from maturity.organisations.models import Organisation


def _snapshot() -> dict:
    returns = sorted(
        Return.objects.values_list(
            "organisation__ods_code", "care_setting", "cycle__year", "status"
        )
    )
    answers = sorted(
        Answer.objects.values_list(
            "return_obj__organisation__ods_code",
            "return_obj__care_setting",
            "return_obj__cycle__year",
            "item_id",
            "value",
        )
    )
    scores = sorted(
        Score.objects.values_list(
            "return_obj__organisation__ods_code",
            "return_obj__care_setting",
            "return_obj__cycle__year",
            "overall",
        )
    )
    return {"returns": returns, "answers": answers, "scores": scores}


def test_shape(small_national):
    s = small_national
    assert [c.year for c in Cycle.objects.order_by("year")] == [2022, 2023, 2024, 2025, 2026]
    assert Cycle.objects.filter(is_demonstration=True).count() == 5
    synthetic = Organisation.objects.filter(synthetic=True)
    assert synthetic.count() == 20
    assert all(o.name.endswith("(synthetic)") and o.ods_code.startswith("SYN-") for o in synthetic)
    # Synthetic care providers answer only the editions that cover adult social care (2025 on).
    asc_years = set(
        Return.objects.filter(care_setting="adult_social_care").values_list(
            "cycle__year", flat=True
        )
    )
    assert asc_years == {2025, 2026}
    assert {"acute", "icb", "primary_care"} <= set(
        Return.objects.values_list("care_setting", flat=True)
    )
    assert s.returns == Return.objects.count() > 0
    assert s.answers == Answer.objects.count() > 0
    committed = Return.objects.filter(status=ReturnStatus.COMMITTED)
    assert s.scores == Score.objects.count() == committed.count()
    assert not Answer.objects.filter(return_obj__status=ReturnStatus.NOT_STARTED).exists()
    assert set(Answer.objects.values_list("value", flat=True).distinct()) == {
        "met",
        "not_met",
        "na",
    }
    assert InflatedReturn.objects.count() == s.inflated
    assert not InflatedReturn.objects.exclude(return_obj__status=ReturnStatus.COMMITTED).exists()


def test_same_seed_same_rows(registry, editions, django_db_blocker):
    generate_national(seed=5, size="small", asc_providers=20)
    first = _snapshot()
    for model in (InflatedReturn, Score, Answer):
        model.objects.all()._raw_delete(model.objects.db)
    Return.objects.all()._raw_delete(Return.objects.db)
    Cycle.objects.all().delete()
    generate_national(seed=5, size="small", asc_providers=20)
    assert _snapshot() == first
    assert len(first["answers"]) > 1000


def test_different_seed_differs(registry, editions):
    generate_national(seed=5, size="small", asc_providers=20)
    first = _snapshot()["answers"]
    for model in (InflatedReturn, Score, Answer):
        model.objects.all()._raw_delete(model.objects.db)
    Return.objects.all()._raw_delete(Return.objects.db)
    Cycle.objects.all().delete()
    generate_national(seed=6, size="small", asc_providers=20)
    assert _snapshot()["answers"] != first


def test_refuses_a_second_run_and_writes_nothing(small_national):
    before = (Return.objects.count(), Answer.objects.count(), Organisation.objects.count())
    with pytest.raises(GenerationError, match="already exists"):
        generate_national(seed=11, size="small", asc_providers=40)
    assert (Return.objects.count(), Answer.objects.count(), Organisation.objects.count()) == before


def test_failure_midway_leaves_nothing(registry, editions, monkeypatch):
    from maturity.national import generate

    calls = {"n": 0}
    real = generate.write_scores

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(generate, "write_scores", failing)
    orgs = Organisation.objects.count()
    with pytest.raises(RuntimeError):
        generate_national(seed=1, size="small", asc_providers=20)
    assert Return.objects.count() == Answer.objects.count() == Cycle.objects.count() == 0
    assert Organisation.objects.count() == orgs
