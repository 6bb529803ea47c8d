"""The hand-made tables: local-authority names, Frimley postcodes, split sub-ICB locations."""

import csv

import pytest

from maturity.organisations.importers.cqc import (
    is_social_care_directory_entry,
    is_social_care_location,
)
from maturity.organisations.importers.mappings import (
    LA_NAME_ALIASES,
    SPLIT_SUB_ICB_2026,
    normalise_la_name,
    qnq_icb_2026,
)
from maturity.organisations.reference import REFERENCE_DIR


@pytest.mark.parametrize(
    ("council", "cqc"),
    [
        ("Royal Borough of Kingston-Upon-Thames Council", "Kingston upon Thames"),
        ("Bristol City Council", "Bristol, City of"),
        ("Herefordshire Council", "Herefordshire, County of"),
        ("Newcastle-upon-Tyne City Council", "Newcastle upon Tyne"),
        ("St Helens Council", "St. Helens"),
        ("Telford & Wrekin Council", "Telford and Wrekin"),
        ("City of Bradford Metropolitan District Council", "Bradford"),
        ("Bedford Borough Council", "Bedford Borough"),
        ("London Borough of Lambeth Council", "Lambeth"),
    ],
)
def test_council_names_and_cqc_names_normalise_alike(council, cqc):
    assert normalise_la_name(council) == normalise_la_name(cqc)


def test_every_local_authority_named_in_the_shipped_cqc_samples_resolves():
    partners = csv.DictReader(
        (REFERENCE_DIR / "icb_mappings" / "icb_partners_2023-08.csv").open(encoding="utf-8-sig")
    )
    known = {normalise_la_name(r["Local Authority"]) for r in partners if r["ODS LA Code"]}
    known |= set(LA_NAME_ALIASES)
    names = set()
    for path, column in (
        ("Locations-head.csv", "Location Local Authority"),
        ("output-head.csv", "Local authority"),
    ):
        with (REFERENCE_DIR / "cqc" / path).open(encoding="utf-8-sig") as f:
            names |= {r[column] for r in csv.DictReader(f) if r[column]}
    assert sorted(n for n in names if normalise_la_name(n) not in known) == []


@pytest.mark.parametrize(
    ("postcode", "icb"),
    [
        ("SL1 3NY", "S0E4D"),
        ("RG12 9LH", "S0E4D"),
        ("GU16 6QQ", "S9B9J"),
        ("GU9 9QS", "S9B9J"),
        ("GU10 4TG", "S9B9J"),
        ("GU10 5RF", "QRL"),  # Crondall, Hart district
        ("GU14 8QB", "QRL"),
        ("GU51 4PE", "QRL"),
        ("M1 1AA", None),
        ("", None),
    ],
)
def test_frimley_practices_are_placed_by_postcode(postcode, icb):
    assert qnq_icb_2026(postcode) == icb


def test_split_table_covers_every_sub_icb_location_of_the_split_icbs():
    with (REFERENCE_DIR / "icb_mappings" / "sub_icb_to_icb_to_region_2023-04.csv").open(
        encoding="utf-8-sig"
    ) as f:
        subs = {
            r["SICBL23CDH"] for r in csv.DictReader(f) if r["ICB23CDH"] in ("QM7", "QJG", "QNQ")
        }
    assert subs == set(SPLIT_SUB_ICB_2026)


def test_social_care_rules():
    assert is_social_care_location("Residential social care", ())
    assert not is_social_care_location(
        "Independent consulting doctors", ("Doctors consultation service",)
    )
    assert is_social_care_location("", ("Domiciliary care service",))
    assert not is_social_care_location("", ("Mobile doctors service",))
    assert is_social_care_directory_entry(("Homecare agencies", "Supported living"))
    assert not is_social_care_directory_entry(("Doctors/GPs", "Dentist"))
