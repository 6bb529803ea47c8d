"""Where the shipped reference data lives, and what each file is (for the About page)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


@dataclass(frozen=True)
class ReferenceSource:
    path: str
    title: str
    publisher: str
    licence: str
    data_date: str


def reference_sources() -> list[ReferenceSource]:
    return list(SOURCES)


_ODS = "NHS England (Organisation Data Service)"
_OGL = "Open Government Licence v3.0"
_ODS_LICENCE = "© NHS England, OGL v3"
_ONS_GEO = "© Crown copyright, OGL v3. Contains OS data © Crown copyright and database right"

# Every file under data/reference/ the registry imports (see data/reference/SOURCES.md for where
# each came from, how the derived ones were made, and row counts).
SOURCES: tuple[ReferenceSource, ...] = (
    ReferenceSource(
        "ods_current/etr.csv",
        "NHS trusts (ODS etr): names, open and close dates, ICB from 1 April 2026",
        _ODS,
        _ODS_LICENCE,
        "ODS extract of about June–July 2026",
    ),
    ReferenceSource(
        "ods_current/epraccur.csv",
        "GP practices (ODS epraccur, role RO76): dates, status, sub-ICB location",
        _ODS,
        _ODS_LICENCE,
        "ODS extract of 3 February 2026",
    ),
    ReferenceSource(
        "ods_2023/etr.csv",
        "NHS trusts (ODS etr), 42-ICB era",
        _ODS,
        _ODS_LICENCE,
        "ODS download of about October–November 2023",
    ),
    ReferenceSource(
        "ods_2023/ect.csv",
        "Care trusts (ODS ect)",
        _ODS,
        _ODS_LICENCE,
        "ODS download of about October–November 2023",
    ),
    ReferenceSource(
        "ods_2023/eccg.csv",
        "Sub-ICB locations (ODS eccg; commissioning hubs not imported)",
        _ODS,
        _ODS_LICENCE,
        "ODS download of about October–November 2023",
    ),
    ReferenceSource(
        "icb_mappings/sub_icb_to_icb_to_region_2023-04.csv",
        "Sub-ICB locations to ICBs to NHS England regions lookup",
        "Office for National Statistics (Open Geography Portal)",
        _ONS_GEO,
        "April 2023",
    ),
    ReferenceSource(
        "icb_mappings/icb_codes.csv",
        "ICB names and codes",
        "Office for National Statistics",
        _ONS_GEO,
        "April 2023",
    ),
    ReferenceSource(
        "icb_mappings/icb_lookup.csv",
        "ICB code, name and region (used as a cross-check)",
        "Compiled by B. Stanbury from NHSBSA and ODS data",
        _OGL,
        "February 2026 (42-ICB layout)",
    ),
    ReferenceSource(
        "icb_mappings/icb_trust_financial_apportionment_2023-08.csv",
        "Each NHS trust's principal ICB (ICB Financial Apportionment, CSV export)",
        "NHS England Strategic Finance and Planning, via ODS (ICB Partners workbook)",
        _ODS_LICENCE,
        "8 August 2023",
    ),
    ReferenceSource(
        "icb_mappings/icb_partners_2023-08.csv",
        "ICB partners: local authorities of each ICB (CSV export)",
        "NHS England, via ODS (ICB Partners workbook)",
        _ODS_LICENCE,
        "8 August 2023",
    ),
    ReferenceSource(
        "icb_mappings/icb_2026_reference_derived.csv",
        "The 36 ICBs from 1 April 2026 (derived from the ONS lookup and ODS successions)",
        "Derived from ONS and NHS England (ODS) data",
        f"{_ODS_LICENCE}; {_ONS_GEO}",
        "1 April 2026",
    ),
    ReferenceSource(
        "icb_mappings/icb_2026_successions_derived.csv",
        "ICB successions of 1 April 2026 (merger, split, acquisition)",
        "NHS England (ODS successions), as tabulated by RCPCH",
        _ODS_LICENCE,
        "1 April 2026",
    ),
    ReferenceSource(
        "icb_mappings/nhs_england_regions_derived.csv",
        "NHS England regions (derived from the ONS lookup)",
        "Derived from Office for National Statistics data",
        _ONS_GEO,
        "April 2023",
    ),
    ReferenceSource(
        "digital_adoption/epr_suppliers_by_trust_2024-10-01.csv",
        "Trust type and primary EPR supplier per trust",
        "NHS England (EPR programme extract)",
        _OGL,
        "1 October 2024",
    ),
    ReferenceSource(
        "digital_adoption/gp_suppliers.csv",
        "GP clinical system supplier per practice",
        "NHS England Digital (Appointments in General Practice)",
        _OGL,
        "October 2025",
    ),
    ReferenceSource(
        "deprivation_population/practice_demographics.csv",
        "GP practice list size and deprivation score (IMD 2019)",
        "NHS England Digital (Patients Registered at a GP Practice); OHID Fingertips 93553",
        _OGL,
        "List sizes February 2026; IMD 2019",
    ),
    ReferenceSource(
        "deprivation_population/icb_population_deprivation_derived.csv",
        "ICB population and list-weighted practice deprivation (derived)",
        "Derived from ONS mid-2022 estimates, NHS England Digital and OHID data",
        f"© Crown copyright, {_OGL}",
        "Population mid-2022; practices February 2026",
    ),
    ReferenceSource(
        "deprivation_population/sub_icb_population_estimates_2022.csv",
        "Population by sub-ICB location",
        "Office for National Statistics",
        f"© Crown copyright, {_OGL}",
        "Mid-2022",
    ),
    ReferenceSource(
        "trust_context/catchment_summary.csv",
        "Acute trust catchment population and deprivation (modelled proxy)",
        "Intuita healthcare tracker, from ODS, NSPL, Census 2021 and IMD 2025",
        _OGL,
        "June 2026 (Census 2021 population)",
    ),
    ReferenceSource(
        "trust_context/2022_trust_catchment_populations.csv",
        "NHS acute trust catchment populations (CSV export)",
        "Office for Health Improvement and Disparities",
        f"© Crown copyright, {_OGL}",
        "2022",
    ),
    ReferenceSource(
        "cqc/Locations-head.csv",
        "CQC HSCA active locations (first 999 rows only: a sample)",
        "Care Quality Commission",
        _OGL,
        "About August 2025",
    ),
    ReferenceSource(
        "cqc/output-head.csv",
        "CQC care directory (first 500 rows only: a sample)",
        "Care Quality Commission",
        _OGL,
        "About August 2025",
    ),
)
