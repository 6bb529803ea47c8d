"""The vocabulary of benchmarks: sources, peer groups, areas, measures, lenses and their rules.

Plain data, no Django: pages, the API, open data and the methods page all read their labels and
rules from here, so a rule is described once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from maturity.core.scoring import AggregationMethod
from maturity.core.vocab import CARE_SETTING_LABELS, PILLAR_LABELS, PILLAR_ORDER, CareSetting

# --- Sources -------------------------------------------------------------------------------------

SOURCE_PUBLISHED = "published"
SOURCE_DEMONSTRATION = "demonstration"
SOURCE_RETURNS = "returns"
SOURCES = (SOURCE_PUBLISHED, SOURCE_DEMONSTRATION, SOURCE_RETURNS)
SOURCE_LABELS = {
    SOURCE_PUBLISHED: "Published by NHS England",
    SOURCE_DEMONSTRATION: "Demonstration returns (generated, not real submissions)",
    SOURCE_RETURNS: "Returns to a cycle on this platform",
}
DEMONSTRATION_LABEL = "Demonstration data — generated, not a real submission"

# --- Measures ------------------------------------------------------------------------------------

OVERALL = "overall"
CHANGE_OVERALL = "change:overall"
PILLARS: tuple[str, ...] = tuple(p.value for p in PILLAR_ORDER)
SCORE_MEASURES: tuple[str, ...] = (*PILLARS, OVERALL)

SHORT_PILLAR_LABELS = {
    "well_led": "Well led",
    "smart_foundations": "Smart foundations",
    "safe_practice": "Safe practice",
    "support_people": "Support people",
    "empower_people": "Empower people",
    "improve_care": "Improve care",
    "healthy_populations": "Healthy populations",
    OVERALL: "Overall",
}


def measure_label(measure: str, domain_names: dict[str, str] | None = None) -> str:
    """A measure's name for people: a pillar's label, "Overall", a domain's or question's name."""
    if measure == OVERALL:
        return "Overall score"
    if measure == CHANGE_OVERALL:
        return "Change in the overall score since the previous year"
    for pillar in PILLAR_ORDER:
        if pillar.value == measure:
            return PILLAR_LABELS[pillar]
    if domain_names and measure in domain_names:
        return domain_names[measure]
    return measure


#: Levels for the proportion "at or above a level" in funnel plots.
FUNNEL_THRESHOLDS: tuple[float, ...] = (2.0, 3.0, 4.0)
DEFAULT_FUNNEL_THRESHOLD = 3.0

# --- Peer groups ---------------------------------------------------------------------------------

GROUP_SETTING = "setting"
GROUP_REGION = "region"
GROUP_ICS = "ics"
GROUP_SIZE = "size"
GROUP_DEPRIVATION = "deprivation"
GROUP_KINDS = (GROUP_SETTING, GROUP_REGION, GROUP_ICS, GROUP_SIZE, GROUP_DEPRIVATION)
GROUP_KIND_LABELS = {
    GROUP_SETTING: "Same care setting, England",
    GROUP_REGION: "Same care setting, same NHS England region",
    GROUP_ICS: "All providers in the same integrated care system",
    GROUP_SIZE: "Same care setting and size (population served, in thirds)",
    GROUP_DEPRIVATION: "Same care setting and deprivation of the population served (in thirds)",
}

#: Domain levels and contextual answers are compared within the care setting nationally; scores
#: (pillars, overall) and change in every kind of peer group.
GROUP_KINDS_BY_MEASURE_KIND = {
    "score": GROUP_KINDS,
    "change": GROUP_KINDS,
    "level": (GROUP_SETTING,),
    "percentage": (GROUP_SETTING,),
    "yes_no": (GROUP_SETTING,),
    "count": (GROUP_SETTING,),
}

SIZE_BANDS = {1: "smallest third", 2: "middle third", 3: "largest third"}
DEPRIVATION_BANDS = {1: "least deprived third", 2: "middle third", 3: "most deprived third"}

# --- Areas ---------------------------------------------------------------------------------------

LEVEL_ICB = "icb"
LEVEL_REGION = "region"
LEVEL_NATION = "nation"
LEVELS = (LEVEL_ICB, LEVEL_REGION, LEVEL_NATION)
GEOGRAPHY_CURRENT = "current"
GEOGRAPHY_COLLECTION = "collection"
GEOGRAPHIES = (GEOGRAPHY_CURRENT, GEOGRAPHY_COLLECTION)
GEOGRAPHY_LABELS = {
    GEOGRAPHY_CURRENT: "Today's boundaries",
    GEOGRAPHY_COLLECTION: "Boundaries when the data were collected",
}

METHOD_LABELS = {m.value: m.title for m in AggregationMethod}
METHOD_SHORT_LABELS = {
    AggregationMethod.PLAIN_MEAN.value: "Plain mean",
    AggregationMethod.POPULATION_WEIGHTED.value: "Population-weighted",
    AggregationMethod.CARE_SETTING_STANDARDISED.value: "Care-setting-standardised",
}


def area_kind(level: str, geography: str) -> str:
    """The key of an area kind in the computations: "icb:current", "region:collection"."""
    return f"{level}:{geography}"


def setting_label(care_setting: str) -> str:
    try:
        return CARE_SETTING_LABELS[CareSetting(care_setting)]
    except ValueError:
        return care_setting


SETTING_PLURALS = {
    "acute": "acute trusts",
    "mental_health": "mental health providers",
    "community": "community providers",
    "ambulance": "ambulance trusts",
    "icb": "integrated care boards",
    "primary_care": "primary care (by ICB)",
    "adult_social_care": "adult social care providers",
}

# --- Lenses --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LensMeasure:
    measure: str
    why: str


@dataclass(frozen=True)
class Lens:
    slug: str
    title: str
    summary: str
    #: The published pillar closest to the lens (NHS England published pillars, not domains).
    pillar: str | None
    #: Domain levels and contextual answers (from returns), in display order.
    measures: tuple[LensMeasure, ...] = field(default_factory=tuple)
    #: Care settings the lens is about (empty: all).
    settings: tuple[str, ...] = ()
    #: A target to show against a yes/no measure, e.g. a government commitment.
    target: tuple[str, float, str] | None = None


LENSES: tuple[Lens, ...] = (
    Lens(
        slug="interoperability",
        title="Interoperability",
        summary=(
            "Whether information follows people between organisations: standards-based "
            "interfaces, shared care records and the digital foundations they rest on."
        ),
        pillar="smart_foundations",
        measures=(
            LensMeasure(
                "sf.interoperability",
                "Standards-based, two-way flows are what let records follow the patient.",
            ),
            LensMeasure(
                "sf.shared_care_record",
                "A shared care record is how most clinicians see another organisation's record.",
            ),
            LensMeasure(
                "ctx.shared_care_record_access",
                "Whether clinical staff can open the local shared care record at all.",
            ),
            LensMeasure(
                "ctx.shared_care_record_staff_pct",
                "How many clinical staff can open it from their usual system.",
            ),
        ),
    ),
    Lens(
        slug="variation",
        title="Variation between organisations",
        summary=(
            "How far apart organisations of the same kind are, how that spread differs by pillar, "
            "and which systems have more or fewer organisations at level 3 than chance would give."
        ),
        pillar=None,
    ),
    Lens(
        slug="digital-inclusion",
        title="Digital inclusion",
        summary=(
            "Whether people who cannot or will not go online are still served well, and how "
            "digital services reach people, including through the NHS App."
        ),
        pillar="empower_people",
        measures=(
            LensMeasure(
                "ep.digital_inclusion",
                "Digital inclusion plans decide who is left behind as services move online.",
            ),
            LensMeasure(
                "ep.nhs_app",
                "The NHS App is the expected front door to digital services.",
            ),
            LensMeasure(
                "ctx.nhs_app_integrated",
                "Whether any of the organisation's services are reachable through the NHS App.",
            ),
        ),
    ),
    Lens(
        slug="social-care",
        title="Social care",
        summary=(
            "Digital maturity in adult social care: digital social care records and the "
            "government's commitment that 80% of providers use one."
        ),
        pillar=None,
        measures=(
            LensMeasure(
                "sf.social_care_record",
                "A digital social care record replaces paper care plans and daily notes.",
            ),
            LensMeasure(
                "ctx.social_care_record",
                "Whether the provider keeps its care records in a digital social care record.",
            ),
            LensMeasure(
                "ctx.social_care_record_coverage",
                "How many of the people supported have their care recorded digitally.",
            ),
        ),
        settings=("adult_social_care",),
        target=(
            "ctx.social_care_record",
            0.8,
            "Government commitment: 80% of adult social care providers on digital records",
        ),
    ),
    Lens(
        slug="workforce",
        title="Workforce",
        summary=(
            "Whether staff have the digital skills, support and specialist colleagues they need: "
            "the Support people pillar, digital skills and the digital workforce."
        ),
        pillar="support_people",
        measures=(
            LensMeasure(
                "sw.digital_skills",
                "Staff confidence with digital tools decides whether systems are used well.",
            ),
            LensMeasure(
                "sw.digital_workforce",
                "A digital, data and technology profession with careers keeps systems running.",
            ),
            LensMeasure(
                "ctx.staff_digital_training",
                "The share of staff trained in digital skills in the last 12 months.",
            ),
        ),
    ),
)
LENSES_BY_SLUG = {lens.slug: lens for lens in LENSES}

#: The areas funnel plots are drawn for: ICBs on either boundaries, regions on today's (a
#: region's providers are the same either way).
FUNNEL_AREAS = {("icb", "current"), ("icb", "collection"), ("region", "current")}

#: Domain measures also given funnel plots (level 3 or above), for the lenses.
FUNNEL_DOMAINS: tuple[str, ...] = (
    "sf.interoperability",
    "sf.shared_care_record",
    "ep.digital_inclusion",
    "sw.digital_skills",
    "sf.social_care_record",
)

# --- Rules, for the methods page -----------------------------------------------------------------

BENCHMARK_METHOD = "benchmark_snapshots"
PEER_GROUP_METHOD = "peer_groups"
CHANGE_METHOD = "year_on_year_comparable"
LEARN_FROM_METHOD = "learn_from"
AREA_METHOD = "area_membership"
RANK_METHOD = "sensitivity_ranks"

RULES: dict[str, tuple[str, str]] = {
    BENCHMARK_METHOD: (
        "Benchmark snapshots",
        "Benchmarks are computed in bulk whenever results change or a release is published, "
        "and pages, the API and open data read only those snapshots. Each snapshot records "
        "when it was built and from which results.",
    ),
    PEER_GROUP_METHOD: (
        "Peer groups",
        "Organisations are compared only with organisations of the same kind: the same care "
        "setting in England; the same care setting in the same NHS England region; all "
        "providers in the same integrated care system; the same care setting and size (thirds "
        "of the population served: an acute trust's catchment population, an ICB's resident "
        "population); and the same care setting and deprivation of the population served "
        "(thirds of the catchment's index of multiple deprivation score). Size and deprivation "
        "groups exist only where those facts are recorded. An organisation's region and ICS are "
        "those it belonged to when the data were collected.",
    ),
    CHANGE_METHOD: (
        "Change since the previous year",
        "Change is shown only over the domains comparable between the two years' assessments "
        "(NHS England's comparable overall score for 2024 and 2025; for returns on this platform, "
        "the mean of the domains the newer edition marks as comparable, with last year's levels "
        "of the same domains). When an organisation has no result for the previous year but its "
        "predecessors do (after a merger), the plain mean of the predecessors' results is used "
        "and the page says so.",
    ),
    LEARN_FROM_METHOD: (
        "Learn from",
        "For each organisation, its weakest pillar is the one where it has the lowest "
        "percentile among organisations in the same care setting. Suggested organisations to "
        "learn from are in the same care setting, score at least half a point higher in that "
        "pillar, and have the closest average pillar score.",
    ),
    AREA_METHOD: (
        "Integrated care boards and regions",
        "An ICB's or region's figures aggregate the providers in it (not the ICB's own return). "
        "They are given both for today's boundaries, so that history stays comparable across the "
        "2026 ICB mergers, and for the boundaries when the data were collected.",
    ),
    RANK_METHOD: (
        "How positions move between methods",
        "Each area is ranked under each aggregation method (1 is the highest figure; equal "
        "figures share a rank; areas of fewer than 5 organisations are not ranked). The "
        "sensitivity view shows each area's rank under every method and how far it moves, so "
        "that the effect of choosing a method is visible.",
    ),
}
