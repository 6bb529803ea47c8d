"""Display shaping for organisation pages: labels for facts and statuses, dates in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting

from .models import Organisation, OrganisationFact

ONE_DAY = dt.timedelta(days=1)

# key → (label, how to show the value)
FACT_LABELS: dict[str, tuple[str, str]] = {
    "trust_type": ("Trust type (NHS England EPR programme)", "text"),
    "epr_supplier": ("Primary EPR supplier", "text"),
    "gp_system": ("GP clinical system", "text"),
    "gp_appointment_systems": ("GP appointment data systems", "text"),
    "list_size": ("Registered patients (list size)", "int"),
    "imd_2019_score": ("Deprivation score of the practice population (IMD 2019)", "one_decimal"),
    "population": ("Population (ONS mid-year estimate)", "int"),
    "gp_practices": ("GP practices", "int"),
    "gp_registered_patients": ("Patients registered at its GP practices", "int"),
    "imd_2019_score_list_weighted": (
        "Deprivation score, practice IMD 2019 weighted by list size",
        "one_decimal",
    ),
    "pct_patients_most_deprived_quintile": (
        "Patients in the most deprived fifth of practices (%)",
        "one_decimal",
    ),
    "catchment_population": ("Catchment population (modelled, Census 2021)", "int"),
    "catchment_imd_2025_score": ("Catchment deprivation score (modelled, IMD 2025)", "one_decimal"),
    "ohid_catchment_all_admissions": ("Catchment population, all admissions (OHID 2022)", "int"),
    "ohid_catchment_emergency_admissions": (
        "Catchment population, emergency admissions (OHID 2022)",
        "int",
    ),
    "ons_code": ("ONS code", "text"),
    "icb_partners": ("ICBs it is a partner of (ICB Partners sheet)", "list"),
    "cqc_provider_id": ("CQC provider id", "text"),
    "cqc_provider_name": ("CQC provider", "text"),
    "cqc_service_types": ("CQC service types", "list"),
    "cqc_inspection_category": ("CQC inspection category", "text"),
    "care_home_beds": ("Care home beds", "int"),
    "cqc_overall_rating": ("Latest CQC overall rating", "text"),
}


KIND_PLURALS = {
    "nation": "Nations",
    "region": "NHS England regions",
    "icb": "Integrated care boards",
    "sub_icb": "Sub-ICB locations",
    "trust": "NHS trusts",
    "gp_practice": "GP practices",
    "asc_provider": "Adult social care providers",
    "local_authority": "Local authorities",
}


def kind_plural(kind: str) -> str:
    return KIND_PLURALS.get(kind, kind)


def fact_label(key: str) -> str:
    return FACT_LABELS.get(key, (key.replace("_", " ").capitalize(), "text"))[0]


def fact_value(fact: OrganisationFact) -> str:
    style = FACT_LABELS.get(fact.key, ("", "text"))[1]
    value = fact.value
    if value is None:
        return "–"
    if style == "int" and isinstance(value, int | float):
        return f"{int(value):,}"
    if style == "one_decimal" and isinstance(value, int | float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def care_setting_label(value: str) -> str:
    try:
        return CARE_SETTING_LABELS[CareSetting(value)]
    except ValueError:
        return value


@dataclass(frozen=True)
class Status:
    text: str
    colour: str  # NHS.UK tag colour


def status_on(organisation: Organisation, on: dt.date) -> Status:
    if organisation.opened_on and organisation.opened_on > on:
        return Status("Not yet open", "grey")
    if organisation.closed_on and organisation.closed_on <= on:
        return Status("Closed", "red")
    if organisation.register_status == "DORMANT":
        return Status("Dormant", "orange")
    return Status("Open", "green")


def last_day_open(organisation: Organisation) -> dt.date | None:
    return organisation.closed_on - ONE_DAY if organisation.closed_on else None


def default_date(organisation: Organisation, today: dt.date) -> dt.date:
    """The date a page shows by default: today, or for a closed organisation its last day open
    (so its hierarchy and members are shown as they were), or its first day if not yet open."""
    if organisation.closed_on and organisation.closed_on <= today:
        return organisation.closed_on - ONE_DAY
    if organisation.opened_on and organisation.opened_on > today:
        return organisation.opened_on
    return today
