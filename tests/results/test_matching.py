"""Matching published names to registry organisations: current and former names, ambiguity."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.organisations.models import OrganisationKind
from maturity.results.matching import NameNotMatched, OrganisationNameIndex

from .factories import make_organisation

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 30)


def _index(kind=OrganisationKind.TRUST) -> OrganisationNameIndex:
    return OrganisationNameIndex([kind], reference_date=ON)


def test_current_name_matches_after_normalising():
    org = make_organisation(
        ods_code="TAH", name="Sheffield Health & Social Care NHS Foundation Trust"
    )
    match = _index().match("SHEFFIELD HEALTH AND SOCIAL CARE NHS FOUNDATION TRUST")
    assert (match.organisation, match.matched_on) == (org, "current name")


def test_former_name_matches_a_renamed_trust():
    org = make_organisation(
        ods_code="RA7",
        name="BRISTOL NHS FOUNDATION TRUST",
        former_names=("UNIVERSITY HOSPITALS BRISTOL AND WESTON NHS FOUNDATION TRUST",),
    )
    match = _index().match("University Hospitals Bristol and Weston NHS Foundation Trust")
    assert (match.organisation, match.matched_on) == (org, "former name")


def test_a_current_name_wins_over_another_organisations_former_name():
    current = make_organisation(ods_code="RAA", name="NORTH TRUST")
    make_organisation(ods_code="RBB", name="SOUTH TRUST", former_names=("NORTH TRUST",))
    assert _index().match("North Trust").organisation == current


def test_the_organisation_open_on_the_reference_date_wins():
    make_organisation(ods_code="ROLD", name="EAST TRUST", closed_on=dt.date(2020, 4, 1))
    new = make_organisation(ods_code="RNEW", name="EAST TRUST", opened_on=dt.date(2020, 4, 1))
    assert _index().match("EAST TRUST").organisation == new


def test_an_organisation_closed_on_the_reference_date_is_not_matched():
    make_organisation(ods_code="RGONE", name="GONE TRUST", closed_on=dt.date(2024, 4, 1))
    with pytest.raises(NameNotMatched, match="fits RGONE, not open on 30 June 2025"):
        _index().match("GONE TRUST")


def test_a_name_fitting_two_open_organisations_is_ambiguous():
    make_organisation(ods_code="RC1", name="WEST TRUST")
    make_organisation(ods_code="RC2", name="WEST TRUST")
    with pytest.raises(NameNotMatched, match=r"several organisations \(RC1, RC2\)"):
        _index().match("WEST TRUST")


def test_kinds_are_kept_apart_and_unknown_names_say_why():
    make_organisation(ods_code="QOX", name="NHS DORSET INTEGRATED CARE BOARD", kind="icb")
    with pytest.raises(NameNotMatched, match="import it first"):
        _index().match("NHS DORSET INTEGRATED CARE BOARD")
    make_organisation(ods_code="RD1", name="ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST")
    with pytest.raises(NameNotMatched, match="no organisation in the registry has this name"):
        _index().match("NHS DORSET INTEGRATED CARE BOARD")
    assert _index(OrganisationKind.ICB).match("NHS Dorset Integrated Care Board").organisation
