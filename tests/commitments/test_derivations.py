"""Observations derived from data the service holds: idempotent, sourced, demonstration marked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from maturity.commitments import derivations, services
from maturity.commitments.models import Observation
from maturity.organisations.reference import REFERENCE_DIR

from .conftest import make_commitment, make_metric

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(tmp_path) -> Path:
    """A reference folder with the real EPR extract and a small virtual ward file."""
    folder = tmp_path / "digital_adoption"
    folder.mkdir()
    shutil.copy(REFERENCE_DIR / derivations.EPR_SUPPLIERS_FILE, folder)
    (folder / "virtual_ward_statistics.csv").write_text(
        "date,region_code,icb_code,capacity,capacity_per_population,population,"
        "num_ward_patients,occupancy,suppressed\n"
        "2023-07-01,Y60,QGH,108,15.7,687028,148,1.0,True\n"
        "2023-07-01,Y62,QYG,269,11.8,2274535,115,0.43,False\n"
        "2023-08-01,Y60,QGH,110,15.9,687028,150,1.0,True\n"
    )
    return tmp_path


@pytest.fixture
def derived_metrics(analyst, commitment):
    epr = make_metric(analyst, commitment, derivation="epr_supplier_share")
    wards = make_metric(
        analyst,
        commitment,
        slug="beds",
        unit="beds",
        is_primary=False,
        target_value=None,
        target_source="",
        baseline_value=None,
        baseline_source="",
        maximum=None,
        derivation="virtual_ward_capacity",
    )
    dma = make_metric(
        analyst,
        commitment,
        slug="dma",
        is_primary=False,
        target_value=None,
        target_source="",
        derivation="dma_epr_in_place_share",
    )
    return epr, wards, dma


def test_epr_share_from_the_real_extract():
    (item,) = derivations.epr_supplier_share()
    # 209 trusts in NHS England's extract of 1 October 2024, 20 with "No EPR – in process".
    assert item.observed_on == dt.date(2024, 10, 1)
    assert item.value == pytest.approx(100 * 189 / 209)
    assert "189 of 209" in item.note
    assert "epr_suppliers_by_trust_2024-10-01.csv" in item.source


def test_virtual_ward_capacity_sums_icbs_per_month(reference):
    july, august = derivations.virtual_ward_capacity(reference)
    assert (july.observed_on, july.value, july.date_label) == (
        dt.date(2023, 7, 31),
        377.0,
        "July 2023",
    )
    assert august.value == 110.0 and "1 ICBs" in august.note


def test_virtual_ward_capacity_from_the_shipped_file_when_present():
    if not (REFERENCE_DIR / derivations.VIRTUAL_WARDS_FILE).is_file():
        pytest.skip("virtual_ward_statistics.csv has not been copied into data/reference yet")
    months = derivations.virtual_ward_capacity()
    assert len(months) == 8
    assert months[0].value == 9713 and months[-1].value == 11918


def test_missing_reference_file_is_reported_not_fatal(tmp_path, derived_metrics):
    summary = services.derive_observations(reference_dir=tmp_path)
    assert set(summary.unavailable) == {"epr_supplier_share", "virtual_ward_capacity"}
    assert Observation.objects.count() == 0


def test_derive_is_idempotent_and_replaces_stale_rows(analyst, reference, derived_metrics):
    epr, wards, _dma = derived_metrics
    first = services.derive_observations(by=analyst, reference_dir=reference)
    assert first.written == {
        "epr-all-trusts/trusts-with-epr": 1,
        "epr-all-trusts/beds": 2,
        "epr-all-trusts/dma": 0,
    }
    rows = list(Observation.objects.order_by("pk").values_list("pk", "value"))
    assert {o.provenance for o in Observation.objects.all()} == {"derived"}
    second = services.derive_observations(reference_dir=reference)
    assert second.removed == 0
    assert list(Observation.objects.order_by("pk").values_list("pk", "value")) == rows
    # A derived row the data no longer supports goes; hand-entered rows stay.
    Observation.objects.create(
        metric=wards, observed_on=dt.date(2020, 1, 31), value=1, source="old", provenance="derived"
    )
    services.observation_add(
        by=analyst, metric=wards, observed_on=dt.date(2020, 1, 31), value=2, source="hand"
    )
    third = services.derive_observations(reference_dir=reference)
    assert third.removed == 1
    assert Observation.objects.filter(metric=wards, source="hand").exists()


def test_command(reference, derived_metrics, capsys):
    call_command("derive_commitment_observations", "--dir", str(reference))
    out = capsys.readouterr().out
    assert "epr-all-trusts/beds: 2 derived observation(s)" in out


@pytest.fixture
def returns(db):
    """Two trusts' committed 2025 demonstration returns, and an ICB's, answering ctx.epr_in_place."""
    from maturity.assessments.models import Answer, Cycle, Return
    from maturity.frameworks.services import sync_editions
    from maturity.organisations.models import Organisation

    editions = {row.edition_id: row for row in sync_editions()}
    cycle = Cycle.objects.create(
        year=2025, edition=editions["wgll-2025"], title="2025 demo", is_demonstration=True
    )
    orgs = {
        code: Organisation.objects.create(ods_code=code, name=code, kind=kind, source="test")
        for code, kind in (("RA1", "trust"), ("RB2", "trust"), ("RC3", "trust"), ("QXX", "icb"))
    }
    plan = [
        ("RA1", "acute", False),
        ("RA1", "community", True),  # any yes: has an EPR
        ("RB2", "acute", False),
        ("QXX", "icb", True),  # not a trust
    ]
    for code, setting, answer in plan:
        ret = Return.objects.create(
            cycle=cycle,
            organisation=orgs[code],
            care_setting=setting,
            status="committed",
            is_demonstration=True,
        )
        Answer.objects.create(return_obj=ret, item_id="ctx.epr_in_place", value=answer)
    withdrawn = Return.objects.create(
        cycle=cycle,
        organisation=orgs["RC3"],
        care_setting="community",
        status="committed",
        is_demonstration=True,
        withdrawn_at=timezone.now(),
    )
    Answer.objects.create(return_obj=withdrawn, item_id="ctx.epr_in_place", value=True)
    draft = Return.objects.create(
        cycle=cycle,
        organisation=orgs["RC3"],
        care_setting="acute",
        status="in_progress",
        is_demonstration=True,
    )
    Answer.objects.create(return_obj=draft, item_id="ctx.epr_in_place", value=True)
    return cycle


def test_dma_share_per_cycle_from_committed_trust_returns(returns, analyst, commitment):
    (item,) = derivations.dma_epr_in_place_share()
    # RA1 yes, RB2 no; the draft, the withdrawn return and the ICB do not count.
    assert item.value == 50.0
    assert item.observed_on == dt.date(2025, 12, 31)
    assert item.is_demonstration and "demonstration" in item.note
    dma = make_metric(
        analyst,
        commitment,
        slug="dma",
        is_primary=False,
        target_value=None,
        target_source="",
        derivation="dma_epr_in_place_share",
    )
    services.derive_observations(reference_dir=REFERENCE_DIR)
    observation = Observation.objects.get(metric=dma)
    assert observation.is_demonstration and observation.value == 50.0


def test_demonstration_values_stay_out_of_the_suggestion(returns, analyst):
    from maturity.commitments import selectors

    commitment = make_commitment(analyst, slug="dma-target", original_deadline=dt.date(2030, 1, 1))
    make_metric(
        analyst,
        commitment,
        baseline_value=None,
        baseline_date=None,
        baseline_source="",
        derivation="dma_epr_in_place_share",
    )
    services.derive_observations(reference_dir=REFERENCE_DIR)
    suggestion = selectors.suggestion_for(
        selectors.get_commitment("dma-target"), as_of=dt.date(2026, 6, 1)
    )
    assert suggestion.branch == "no_observations"


def test_dma_share_is_dated_when_the_returns_were_due(returns):
    returns.closes_on = dt.date(2025, 6, 30)
    returns.save(update_fields=["closes_on"])
    (item,) = derivations.dma_epr_in_place_share()
    assert item.observed_on == dt.date(2025, 6, 30)
    assert item.date_label == "2025 assessment (returns due 30 June 2025)"
