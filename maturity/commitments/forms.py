"""Forms: they parse and check input; the services decide and write."""

from __future__ import annotations

from django import forms

from . import services
from .anchors import OVERALL_HINT, QUESTIONS, RATING_LABELS, RATING_ORDER
from .links import parse_ids
from .models import Commitment, Derivation, Direction, Metric, PolicyArea

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]
DATE_HINT = "For example, 2024-03-31 or 31/03/2024."
UNKNOWN = "unknown"


def _date(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={"invalid": "Enter a real date, for example 2024-03-31."},
    )


def _text(label: str, *, required: bool = False, max_length: int = 300, help_text: str = ""):
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text
    )


def _area(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


def _number(label: str, *, required: bool = False, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"invalid": "Enter a number, like 90 or 10500."},
    )


class CommitmentForm(forms.Form):
    title = _text("Short title", required=True, max_length=200)
    slug = forms.SlugField(
        label="Short name for web addresses",
        max_length=80,
        help_text="Lower case letters, numbers and hyphens, for example epr-in-all-trusts.",
    )
    text = _area("The commitment, as the source words it", required=True)
    policy_area = forms.ChoiceField(
        label="Policy area", choices=PolicyArea.choices, widget=forms.RadioSelect
    )
    policy_area_basis = _text(
        "Who placed it in this area",
        help_text="Leave blank when the expert panel placed it.",
    )
    panel_number = forms.IntegerField(
        label="Number in the expert panel's list", required=False, min_value=1, max_value=99
    )
    source_document = _text("Source document", required=True)
    source_date = _date("Date of the source document", required=False)
    source_date_label = _text(
        "Date as the source gives it", max_length=60, help_text="For example, June 2022."
    )
    citation = _area("Citation", required=True, help_text="Where the wording comes from.")
    owner = _text("Owner", max_length=200)
    original_deadline = _date("Original deadline", required=False)
    original_deadline_label = _text(
        "Original deadline as the source gives it", max_length=60, help_text="For example, 2024."
    )
    funding_committed_gbp = forms.DecimalField(
        label="Funding committed (£)", required=False, min_value=0, max_digits=14, decimal_places=0
    )
    funding_text = _area("Funding, as described")
    funding_source = _area("Source of the funding figures")
    domain_ids = _area(
        "Framework domains that evidence it",
        help_text="WGLL 2025 domain ids separated by commas, for example sf.epr, ep.nhs_app.",
    )
    question_ids = _area(
        "Contextual questions that evidence it",
        help_text="Question ids separated by commas, for example ctx.epr_in_place.",
    )
    notes = _area("Notes", help_text="Caveats and conflicting figures, with their sources.")

    @classmethod
    def initial_for(cls, commitment: Commitment) -> dict:
        initial = {name: getattr(commitment, name) for name in cls.base_fields}
        initial["domain_ids"] = ", ".join(commitment.domain_ids)
        initial["question_ids"] = ", ".join(commitment.question_ids)
        return initial

    def data_for_service(self) -> services.CommitmentData:
        d = dict(self.cleaned_data)
        d["domain_ids"] = parse_ids(d["domain_ids"])
        d["question_ids"] = parse_ids(d["question_ids"])
        return services.CommitmentData(**d)


class DeadlineRevisionForm(forms.Form):
    new_deadline = _date("New deadline")
    new_deadline_label = _text("New deadline as the source gives it", max_length=60)
    recorded_on = _date(
        "Date of the source recording the change",
        required=False,
        help_text="Leave blank if the source has no date. " + DATE_HINT,
    )
    recorded_on_label = _text("That date as the source gives it", max_length=60)
    source = _area("Source", required=True)


class MetricForm(forms.Form):
    name = _text("Name", required=True, max_length=200)
    slug = forms.SlugField(label="Short name", max_length=80)
    unit = _text("Unit", required=True, max_length=40, help_text='For example "%" or "people".')
    is_primary = forms.BooleanField(
        label="This is the commitment's main measure (it drives the suggested rating)",
        required=False,
    )
    direction = forms.ChoiceField(
        label="Which way is better?", choices=Direction.choices, widget=forms.RadioSelect
    )
    baseline_value = _number("Baseline value")
    baseline_date = _date("Baseline date", required=False)
    baseline_label = _text("Baseline date as the source gives it", max_length=60)
    baseline_source = _area("Source of the baseline")
    target_value = _number("Target value")
    target_source = _area("Source of the target")
    minimum = _number("Lowest possible value", help_text="For a percentage, 0.")
    maximum = _number("Highest possible value", help_text="For a percentage, 100.")
    derivation = forms.ChoiceField(
        label="Derived observations", choices=Derivation.choices, required=False
    )
    notes = _area("Notes")

    @classmethod
    def initial_for(cls, metric: Metric) -> dict:
        return {name: getattr(metric, name) for name in cls.base_fields}

    def data_for_service(self) -> services.MetricData:
        return services.MetricData(**self.cleaned_data)


class ObservationForm(forms.Form):
    observed_on = _date("Date of the observation")
    date_label = _text(
        "Date as the source gives it",
        max_length=60,
        help_text="Only if the source gives a month or a year, for example July 2023.",
    )
    value = _number("Value", required=True)
    source = _area("Source", required=True)
    note = _area("Note")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: commitment, metric, date, value, source, and optionally date_label and note. "
            "Nothing is imported unless every row is correct."
        ),
    )


class RoundForm(forms.Form):
    name = _text("Name of the evaluation", required=True)
    held_on = _date("Date of the evaluation")
    held_on_label = _text("Date as published", max_length=60)
    panel = _area("Panel members", required=True)
    reference = _text("Reference", max_length=200, help_text="For example, HC 780.")
    source = _area("Source")


class ResponseForm(forms.Form):
    responded_on = _date("Date of the response")
    text = _area("What the government said", required=True)
    source = _area("Source", required=True)


def rating_choices() -> list[tuple[str, str]]:
    return [(r, RATING_LABELS[r]) for r in RATING_ORDER] + [(UNKNOWN, "Not known")]


class EvaluationForm(forms.Form):
    """Five ratings, each with a rationale and evidence, and the reason for any override."""

    override_reason = _area(
        "Reason for overriding the suggested rating",
        help_text="Required when your rating for met or on track differs from the suggestion.",
    )
    suggestion_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.question,
                choices=rating_choices(),
                widget=forms.RadioSelect,
                help_text=OVERALL_HINT if not question.anchors else "",
                error_messages={"required": f"Choose a rating for {question.label.lower()}."},
            )
            self.fields[f"{question.key}_rationale"] = forms.CharField(
                label=f"Rationale: {question.label.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{question.key}_evidence"] = forms.CharField(
                label=f"Evidence: {question.label.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def initial_for(evaluation) -> dict:
        initial = {"override_reason": evaluation.override_reason}
        for question in QUESTIONS:
            initial[question.key] = getattr(evaluation, question.key) or UNKNOWN
            for part in ("rationale", "evidence"):
                name = f"{question.key}_{part}"
                initial[name] = getattr(evaluation, name)
        return initial

    def ratings(self) -> dict[str, services.RatingInput]:
        d = self.cleaned_data
        return {
            q.key: services.RatingInput(
                rating=None if d[q.key] == UNKNOWN else d[q.key],
                rationale=d[f"{q.key}_rationale"],
                evidence=d[f"{q.key}_evidence"],
            )
            for q in QUESTIONS
        }
