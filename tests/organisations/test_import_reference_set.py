"""Importing the small reference set (real rows from the shipped files): the hierarchy it builds,
idempotent re-imports, and changes found by newer files."""

import datetime as dt

import pytest

from maturity.organisations.models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationChange,
    OrganisationFact,
    ReferenceImport,
    Relationship,
    Succession,
)
from maturity.organisations.selectors import (
    get_organisation,
    icb_on,
    parents_on,
    predecessors,
    successors,
)
from maturity.organisations.services import import_ods_file, import_reference_data

from .conftest import MINI_REFERENCE

BEFORE = dt.date(2025, 6, 1)
AFTER = dt.date(2026, 6, 1)


def codes(orgs):
    return [o.ods_code for o in orgs]


def org(code):
    return get_organisation(code)


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Relationship,
            Succession,
            OrganisationFact,
            OrganisationCareSetting,
            OrganisationChange,
        )
    }


def test_icbs_before_and_after_the_2026_changes(mini_registry):
    icbs = Organisation.objects.of_kind("icb")
    assert sorted(codes(icbs.open_on(BEFORE))) == ["QH8", "QHG", "QM7", "QNQ", "QRL", "QU9", "QWO"]
    assert sorted(codes(icbs.open_on(AFTER))) == ["D7T5G", "QRL", "QWO", "S0E4D", "S1Y5D", "S9B9J"]
    frimley = org("QNQ")
    assert frimley.closed_on == dt.date(2026, 4, 1)  # first day it no longer exists
    assert frimley.is_open_on(dt.date(2026, 3, 31)) and not frimley.is_open_on(dt.date(2026, 4, 1))
    assert org("S1Y5D").opened_on == dt.date(2026, 4, 1)


def test_successions_are_recorded_with_their_kind_and_date(mini_registry):
    out = successors(org("QNQ"))
    assert [(s.successor.ods_code, s.kind, s.effective_on) for s in out] == [
        ("QRL", "acquisition", dt.date(2026, 4, 1)),
        ("S9B9J", "split", dt.date(2026, 4, 1)),
        ("S0E4D", "split", dt.date(2026, 4, 1)),
    ]
    assert sorted(s.predecessor.ods_code for s in predecessors(org("S1Y5D"))) == ["QHG", "QM7"]


def test_a_trust_whose_icb_merged_is_in_the_old_icb_before_and_the_new_one_after(mini_registry):
    trust = org("RC9")
    assert icb_on(trust, BEFORE).ods_code == "QHG"
    assert icb_on(trust, AFTER).ods_code == "S1Y5D"
    assert codes(parents_on(trust, BEFORE)) == ["QHG", "Y61", "E92000001"]
    assert codes(parents_on(trust, AFTER)) == ["S1Y5D", "Y61", "E92000001"]
    links = Relationship.objects.filter(child=trust).order_by("valid_from")
    assert [(link.parent.ods_code, link.valid_from, link.valid_to) for link in links] == [
        ("QHG", dt.date(2022, 7, 1), dt.date(2026, 4, 1)),
        ("S1Y5D", dt.date(2026, 4, 1), None),
    ]


def test_a_trust_in_the_same_icb_throughout_has_one_open_ended_link(mini_registry):
    links = Relationship.objects.filter(child=org("RXF"), parent__kind="icb")
    assert [(link.parent.ods_code, link.valid_from, link.valid_to) for link in links] == [
        ("QWO", dt.date(2022, 7, 1), None)
    ]


def test_a_trust_moved_between_retained_icbs_switches_on_2026_04_01_and_the_move_is_recorded(
    mini_registry,
):
    # South Central Ambulance: principal ICB QRL in the 2023 apportionment, Thames Valley in 2026.
    trust = org("RYE")
    assert icb_on(trust, BEFORE).ods_code == "QRL"
    assert icb_on(trust, AFTER).ods_code == "S0E4D"
    change = OrganisationChange.objects.get(organisation=trust, field="parent_icb")
    assert (change.old_value, change.new_value, change.effective_on) == (
        "QRL",
        "S0E4D",
        dt.date(2026, 4, 1),
    )


def test_practice_to_sub_icb_to_icb_to_region_on_each_side_of_the_change(mini_registry):
    practice = org("E82002")  # Wrafton House, Hatfield: West Essex sub-ICB 06K
    assert codes(parents_on(practice, BEFORE)) == ["06K", "QM7", "Y61", "E92000001"]
    assert codes(parents_on(practice, AFTER)) == ["06K", "D7T5G", "Y61", "E92000001"]


@pytest.mark.parametrize(
    ("code", "icb"), [("K81001", "S0E4D"), ("H81013", "S9B9J"), ("J82015", "QRL")]
)
def test_frimley_practices_go_to_the_icb_of_their_area(mini_registry, code, icb):
    practice = org(code)
    assert icb_on(practice, BEFORE).ods_code == "QNQ"
    assert icb_on(practice, AFTER).ods_code == icb
    assert codes(parents_on(practice, AFTER))[:2] == ["D4U1Y", icb]


def test_practice_links_follow_ods_join_and_left_dates(mini_registry):
    closed = org("E81001")  # closed 2024-10-31
    assert closed.closed_on == dt.date(2024, 11, 1)
    link = Relationship.objects.get(child=closed)
    assert (link.parent.ods_code, link.valid_from, link.valid_to) == (
        "M1J4Y",
        dt.date(2021, 4, 1),
        dt.date(2024, 11, 1),
    )
    # A practice that closed in 2017 under a CCG that no longer exists has no link at all.
    assert not Relationship.objects.filter(child=org("A81003")).exists()


def test_welsh_trusts_and_practices_belong_to_wales_and_no_icb(mini_registry):
    for code in ("RQF", "W91042"):
        assert codes(parents_on(org(code), AFTER)) == ["W92000004"]
        assert icb_on(org(code), AFTER) is None


def test_local_authorities_have_a_principal_icb_and_follow_it_in_2026(mini_registry):
    essex, herts, slough = org("620"), org("606"), org("617")
    assert (icb_on(essex, BEFORE).ods_code, icb_on(essex, AFTER).ods_code) == ("QH8", "D7T5G")
    assert (icb_on(herts, BEFORE).ods_code, icb_on(herts, AFTER).ods_code) == ("QM7", "S1Y5D")
    assert (icb_on(slough, BEFORE).ods_code, icb_on(slough, AFTER).ods_code) == ("QNQ", "S0E4D")
    partners = OrganisationFact.objects.get(organisation=essex, key="icb_partners")
    assert partners.value == ["QH8", "QM7"]


def test_adult_social_care_locations_are_placed_through_their_local_authority(mini_registry):
    asc = Organisation.objects.of_kind("asc_provider")
    # 12 social care rows of 13 in the HSCA sample; the directory has 9 social care rows for 8
    # locations (one is listed twice), one of them already in the HSCA sample; its GP is skipped.
    assert asc.count() == 12 + 8 - 1
    assert not asc.filter(name__icontains="doctor").exists()
    location = Organisation.objects.get(ods_code="1-19666812212")  # listed twice in the directory
    assert codes(parents_on(location, BEFORE)) == ["611", "QHG", "Y61", "E92000001"]
    facts = dict(OrganisationFact.objects.filter(organisation=location).values_list("key", "value"))
    assert facts["cqc_provider_id"] == "1-4361873340"
    assert facts["cqc_service_types"] == ["Homecare agencies"]
    assert set(asc.values_list("care_settings__care_setting", flat=True)) == {"adult_social_care"}


def test_facts_and_care_settings_are_dated_and_sourced(mini_registry):
    trust_type = OrganisationFact.objects.get(organisation=org("TAD"), key="trust_type")
    assert trust_type.value == "Mental Health and Community (Combined)"
    assert trust_type.as_of == dt.date(2024, 10, 1)
    assert trust_type.source == "digital_adoption/epr_suppliers_by_trust_2024-10-01.csv"
    settings = set(org("TAD").care_settings.values_list("care_setting", flat=True))
    assert settings == {"mental_health", "community"}
    assert set(org("QHG").care_settings.values_list("care_setting", flat=True)) == {
        "icb",
        "primary_care",
    }
    population = OrganisationFact.objects.get(organisation=org("QHG"), key="population")
    assert (population.value, population.as_of) == (1015380, dt.date(2022, 6, 30))


def test_renames_found_by_the_2026_register_are_recorded(mini_registry):
    change = OrganisationChange.objects.get(organisation=org("RWH"), field="name")
    assert change.old_value == "EAST AND NORTH HERTFORDSHIRE NHS TRUST"
    assert change.new_value == "EAST AND NORTH HERTFORDSHIRE TEACHING NHS TRUST"
    assert change.data_date == dt.date(2026, 7, 1)
    assert change.source == "ods_current/etr.csv"


def test_reimporting_everything_changes_nothing_and_says_so(mini_registry):
    before = table_counts()
    again = import_reference_data(reference_dir=MINI_REFERENCE)
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged > 0
    assert table_counts() == before
    # The older 2023 register never overwrites the newer name.
    assert org("RWH").name == "EAST AND NORTH HERTFORDSHIRE TEACHING NHS TRUST"
    assert ReferenceImport.objects.filter(filename="ods_current/etr.csv").count() == 2


def _edit_ods(path, code, column, value):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        if line.startswith(f'"{code}"'):
            fields = line.rstrip("\r\n").split('","')
            fields[column - 1] = value if column > 1 else f'"{value}'
            line = '","'.join(fields) + ("\r\n" if line.endswith("\r\n") else "\n")
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")


def test_a_closure_and_a_reopening_are_recorded_and_nothing_is_deleted(mini_registry, tmp_path):
    etr = tmp_path / "etr.csv"
    etr.write_text((MINI_REFERENCE / "ods_current" / "etr.csv").read_text(encoding="utf-8"))
    _edit_ods(etr, "RN5", 12, "20261231")
    import_ods_file(path=etr, kind="etr", as_of=dt.date(2026, 8, 1))
    trust = org("RN5")
    assert trust.closed_on == dt.date(2027, 1, 1)
    closure = OrganisationChange.objects.get(organisation=trust, field="closed_on")
    assert (closure.old_value, closure.new_value, closure.effective_on) == (
        "",
        "2027-01-01",
        dt.date(2027, 1, 1),
    )
    link = Relationship.objects.get(child=trust, parent__kind="icb")
    assert link.valid_to == dt.date(2027, 1, 1)
    assert icb_on(trust, dt.date(2027, 6, 1)) is None

    _edit_ods(etr, "RN5", 12, "")
    import_ods_file(path=etr, kind="etr", as_of=dt.date(2026, 9, 1))
    trust.refresh_from_db()
    assert trust.closed_on is None
    reopening = OrganisationChange.objects.filter(organisation=trust, field="closed_on").latest(
        "id"
    )
    assert (reopening.old_value, reopening.new_value) == ("2027-01-01", "")
    assert Relationship.objects.get(child=trust, parent__kind="icb").valid_to is None
    assert icb_on(trust, dt.date(2027, 6, 1)).ods_code == "QRL"


def test_a_practice_that_moves_sub_icb_keeps_its_old_link_ended(mini_registry, tmp_path):
    epraccur = tmp_path / "epraccur.csv"
    epraccur.write_text(
        (MINI_REFERENCE / "ods_current" / "epraccur.csv").read_text(encoding="utf-8")
    )
    _edit_ods(epraccur, "E82002", 15, "06N")
    _edit_ods(epraccur, "E82002", 16, "20250401")
    summary = import_ods_file(path=epraccur, kind="epraccur", as_of=dt.date(2025, 5, 1))
    assert summary.created == 1  # the new link; everything else is unchanged
    practice = org("E82002")
    links = Relationship.objects.filter(child=practice).order_by("valid_from")
    assert [(link.parent.ods_code, link.valid_from, link.valid_to) for link in links] == [
        ("06K", dt.date(2013, 4, 1), dt.date(2025, 4, 1)),
        ("06N", dt.date(2025, 4, 1), None),
    ]
    move = OrganisationChange.objects.get(organisation=practice, field="parent_sub_icb")
    assert (move.old_value, move.new_value, move.effective_on) == (
        "06K",
        "06N",
        dt.date(2025, 4, 1),
    )
    assert icb_on(practice, dt.date(2025, 3, 1)).ods_code == "QM7"
    assert icb_on(practice, AFTER).ods_code == "S1Y5D"  # Herts Valleys went to Central East
