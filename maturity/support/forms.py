"""Forms: they parse and check the shape of input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from maturity.core.optimise import COMBINE_RULES
from maturity.core.vocab import CARE_SETTING_LABELS, PILLAR_LABELS, CareSetting, Pillar

from . import services
from .models import FundingProgramme, Objective, Scenario

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]
DATE_HINT = "For example, 2026-03-31 or 31/03/2026."
PILLAR_CHOICES = [(p.value, PILLAR_LABELS[p]) for p in Pillar]
SETTING_CHOICES = [(c.value, CARE_SETTING_LABELS[c]) for c in CareSetting]
KIND_CHOICES = [("trust", "NHS trusts"), ("icb", "Integrated care boards")]
STEP_CHOICES = [
    ("", "In any fraction of a level"),
    ("0.1", "In whole steps of a tenth of a level"),
    ("0.25", "In whole steps of a quarter of a level"),
    ("0.5", "In whole steps of half a level"),
    ("1.0", "In whole levels"),
]
OBJECTIVE_HINTS = {
    Objective.REACH: "Most organisations at the core level first; money left over then closes "
    "as many further levels as it can.",
    Objective.UPLIFT: "Most levels closed toward the core level, whether or not organisations "
    "reach it.",
    Objective.MIN_COST: "The least money that meets the programme's target share (the budget "
    "is then not a limit).",
}


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={"invalid": "Enter a real date, for example 2026-03-31."},
    )


def _pounds(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=0,
        help_text=help_text,
        error_messages={
            "invalid": "Enter a whole number of pounds, like 2500000.",
            "max_decimal_places": "Enter a whole number of pounds, without pence.",
            "min_value": "Enter £0 or more.",
            "max_digits": "That is more than the service can hold.",
        },
    )


def _number(label: str, *, required: bool = True, help_text: str = "", **kwargs):
    return forms.FloatField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"invalid": "Enter a number, like 0.5."},
        **kwargs,
    )


def _area(label: str, *, required: bool = False, help_text: str = "", rows: int = 4):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ProgrammeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = _area("Description")
    pot_gbp = _pounds("Pot (£)")
    deadline = _date("Deadline for allocating the money")
    target_date = _date("Date the target is to be met")
    target_percent = _number(
        "Target: share of organisations at the core level (%)",
        help_text="For example, 70 for NHS England's 70% of trusts by March 2026.",
        min_value=1,
        max_value=100,
    )
    baseline_year = forms.TypedChoiceField(
        label="Published results to start from", coerce=int, choices=()
    )
    core_combine = forms.ChoiceField(
        label="Organisations with several care settings",
        choices=list(COMBINE_RULES.items()),
        widget=forms.RadioSelect,
        initial="every_setting",
    )
    target_kinds = forms.MultipleChoiceField(
        label="Organisations the target counts",
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["trust"],
    )
    care_settings = forms.MultipleChoiceField(
        label="Care settings whose results count",
        choices=SETTING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["acute", "mental_health", "community", "ambulance"],
    )
    eligible_region_codes = forms.MultipleChoiceField(
        label="Regions eligible for funding",
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to make every region eligible.",
    )
    max_baseline_overall = _number(
        "Only organisations with an overall score at or below",
        required=False,
        help_text="Leave blank to make every organisation with a gap eligible.",
    )

    def __init__(self, *args, years: list[int], regions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline_year"].choices = [(y, str(y)) for y in years]
        self.fields["eligible_region_codes"].choices = [(r.ods_code, r.name) for r in regions]
        # One threshold field per pillar, after the fields above.
        for value, label in PILLAR_CHOICES:
            self.fields[f"threshold_{value}"] = _number(
                f"Core level: minimum score in {label}",
                required=False,
                help_text="From 1 to 5. Leave blank to leave this pillar out.",
                min_value=1,
                max_value=5,
            )

    def threshold_names(self) -> list[str]:
        return [f"threshold_{p}" for p, _ in PILLAR_CHOICES]

    @classmethod
    def initial_for(cls, programme: FundingProgramme | None) -> dict:
        if programme is None:
            return {"threshold_smart_foundations": 3.0, "threshold_safe_practice": 3.0}
        initial = {
            name: getattr(programme, name)
            for name in (
                "name",
                "description",
                "pot_gbp",
                "deadline",
                "target_date",
                "baseline_year",
                "core_combine",
                "target_kinds",
                "care_settings",
                "eligible_region_codes",
                "max_baseline_overall",
            )
        }
        initial["target_percent"] = round(programme.target_share * 100, 4)
        for pillar, value in programme.core_thresholds.items():
            initial[f"threshold_{pillar}"] = value
        return initial

    def data_for_service(self) -> services.ProgrammeData:
        d = self.cleaned_data
        thresholds = {
            p: d[f"threshold_{p}"] for p, _ in PILLAR_CHOICES if d.get(f"threshold_{p}") is not None
        }
        return services.ProgrammeData(
            name=d["name"],
            description=d["description"],
            pot_gbp=d["pot_gbp"],
            deadline=d["deadline"],
            target_date=d["target_date"],
            target_share=d["target_percent"] / 100,
            baseline_year=d["baseline_year"],
            core_thresholds=thresholds,
            core_combine=d["core_combine"],
            target_kinds=d["target_kinds"],
            care_settings=d["care_settings"],
            eligible_region_codes=d["eligible_region_codes"],
            max_baseline_overall=d["max_baseline_overall"],
        )


class ScenarioForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    notes = _area("Notes", help_text="Why this scenario: the question it answers.")
    budget_gbp = _pounds("Budget (£)")
    objective = forms.ChoiceField(
        label="What the allocation should achieve",
        choices=Objective.choices,
        widget=forms.RadioSelect,
        initial=Objective.REACH,
    )
    cost_size_elasticity = _number(
        "How cost grows with size",
        help_text="0: every organisation costs the same per level; 1: cost in proportion to "
        "population served; 0.5 in between. From 0 to 2.",
        initial=0.5,
    )
    realisation = _number(
        "Expected share of funded levels that turn into maturity",
        help_text="From 0.05 to 1. At 0.8, £1m buys 0.8 of the levels it pays for: the expected "
        "uplift per pound is this share over the cost of a level.",
        initial=1.0,
    )
    population_exponent = _number(
        "Priority by population served",
        help_text="0: every organisation counts the same; 1: in proportion to population "
        "served. From 0 to 2.",
        initial=0.0,
    )
    deprivation_weight = _number(
        "Priority by deprivation",
        help_text="0: none; 1: the most deprived count up to twice the least. From 0 to 5.",
        initial=0.0,
    )
    cap_per_organisation_gbp = _pounds(
        "Cap per organisation (£)", required=False, help_text="Leave blank for no cap."
    )
    icb_floor_gbp = _pounds(
        "Floor per ICB (£)",
        required=False,
        help_text="The least each ICB's eligible organisations receive together. Leave blank "
        "for none.",
    )
    smart_foundations_first = forms.BooleanField(
        label="Fund smart foundations before the pillars that depend on them",
        required=False,
        initial=True,
    )
    step = forms.ChoiceField(
        label="Levels are bought", choices=STEP_CHOICES, required=False, widget=forms.Select
    )

    def __init__(self, *args, programme: FundingProgramme, **kwargs):
        super().__init__(*args, **kwargs)
        # In the framework's pillar order: JSON read back from PostgreSQL keeps no key order.
        self.pillars = [p.value for p in Pillar if p.value in programme.core_thresholds]
        for pillar in self.pillars:
            label = PILLAR_LABELS[Pillar(pillar)]
            self.fields[f"cost_{pillar}"] = _pounds(
                f"Cost of one level in {label}, for an organisation of median size (£)",
                help_text="The expected uplift per pound is one level for this many pounds.",
            )

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict:
        initial = {
            name: getattr(scenario, name)
            for name in (
                "name",
                "notes",
                "budget_gbp",
                "objective",
                "cost_size_elasticity",
                "realisation",
                "population_exponent",
                "deprivation_weight",
                "cap_per_organisation_gbp",
                "icb_floor_gbp",
                "smart_foundations_first",
            )
        }
        initial["step"] = "" if scenario.step is None else str(float(scenario.step))
        for pillar, cost in scenario.cost_per_level.items():
            initial[f"cost_{pillar}"] = Decimal(round(cost))
        return initial

    def data_for_service(self) -> services.ScenarioData:
        d = self.cleaned_data
        return services.ScenarioData(
            name=d["name"],
            notes=d["notes"],
            budget_gbp=d["budget_gbp"],
            objective=d["objective"],
            cost_per_level={p: float(d[f"cost_{p}"]) for p in self.pillars},
            cost_size_elasticity=d["cost_size_elasticity"],
            realisation=d["realisation"],
            population_exponent=d["population_exponent"],
            deprivation_weight=d["deprivation_weight"],
            cap_per_organisation_gbp=d["cap_per_organisation_gbp"],
            icb_floor_gbp=d["icb_floor_gbp"],
            smart_foundations_first=d["smart_foundations_first"],
            step=float(d["step"]) if d["step"] else None,
        )


class AwardForm(forms.Form):
    ods_code = forms.CharField(
        label="ODS code of the organisation funded", max_length=32, help_text="For example, RD1."
    )
    amount_gbp = _pounds("Amount awarded (£)")
    awarded_on = _date("Date awarded")
    purpose = _area("What the money is for", rows=3)
    pillars = forms.MultipleChoiceField(
        label="Pillars it is for",
        required=False,
        choices=PILLAR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    scenario = forms.TypedChoiceField(
        label="Scenario it follows", required=False, coerce=int, empty_value=None, choices=()
    )
    source = forms.CharField(
        label="Source of the figure", max_length=300, help_text="For example, the award letter."
    )

    def __init__(self, *args, programme: FundingProgramme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", "None")] + [
            (s.pk, s.name) for s in programme.scenarios.order_by("created_at", "id")
        ]


class CaseStudyForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int, choices=())
    title = forms.CharField(label="Title", max_length=200)
    summary = _area("Summary", required=True, rows=3, help_text="Two or three sentences.")
    what_we_did = _area("What we did", required=True, rows=8)
    care_setting = forms.ChoiceField(label="Care setting", choices=SETTING_CHOICES)
    domain_ids = forms.MultipleChoiceField(
        label="Framework domains it is about",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    supplier = forms.CharField(
        label="Supplier or system", max_length=200, required=False, help_text="For example, Epic."
    )
    cost_gbp = _pounds("What it cost (£)", required=False)
    cost_note = forms.CharField(
        label="About the cost",
        max_length=300,
        required=False,
        help_text="What the figure covers, for example capital only.",
    )
    do_differently = _area("What we would do differently", rows=5)
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="Contact email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@nhs.net."},
    )

    def __init__(self, *args, organisations: list | None, domains: list, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {p.value: PILLAR_LABELS[p] for p in Pillar}
        self.fields["domain_ids"].choices = [
            (d, f"{name} ({labels.get(pillar, pillar)})") for d, name, pillar in domains
        ]
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]

    @classmethod
    def initial_for(cls, case_study) -> dict:
        initial = {
            name: getattr(case_study, name)
            for name in (
                "title",
                "summary",
                "what_we_did",
                "care_setting",
                "supplier",
                "cost_gbp",
                "cost_note",
                "do_differently",
                "contact_name",
                "contact_email",
            )
        }
        initial["domain_ids"] = list(case_study.tags.values_list("domain_id", flat=True))
        return initial

    def data_for_service(self) -> services.CaseStudyData:
        d = dict(self.cleaned_data)
        d.pop("organisation", None)
        return services.CaseStudyData(**d)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("publish", "Publish it"), ("return", "Return it to the organisation")],
        widget=forms.RadioSelect,
    )
    note = _area(
        "Comments", rows=4, help_text="Needed when you return it: say what needs to change."
    )


class ContactForm(forms.Form):
    contact_name = forms.CharField(label="Who peers should contact", max_length=200)
    contact_email = forms.EmailField(
        label="Their email address",
        error_messages={"invalid": "Enter an email address like name@nhs.net."},
    )
    topics = _area("What you are happy to talk about", rows=3)


class CaseStudySearchForm(forms.Form):
    q = forms.CharField(label="Words to search for", required=False, max_length=200)
    pillar = forms.ChoiceField(
        label="Pillar", required=False, choices=[("", "Any pillar")] + PILLAR_CHOICES
    )
    domain = forms.ChoiceField(label="Domain", required=False, choices=())
    care_setting = forms.ChoiceField(
        label="Care setting", required=False, choices=[("", "Any care setting")] + SETTING_CHOICES
    )
    supplier = forms.CharField(label="Supplier or system", required=False, max_length=200)

    def __init__(self, *args, domains: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "Any domain")] + [
            (d, name) for d, name, _p in domains
        ]
