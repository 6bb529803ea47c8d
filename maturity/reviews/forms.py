"""Forms of the peer review pages. They check shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

LEVEL_CHOICES = [(str(n), f"Level {n}") for n in range(1, 6)]
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you agree with the self-assessed level?",
        choices=[("agree", "Agree"), ("challenge", "Challenge it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you agree or challenge."},
    )
    proposed_level = forms.TypedChoiceField(
        label="Level you propose (if you challenge)",
        choices=[("", "Choose a level")] + LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed for a challenge: which criterion is not met, and why.",
        widget=TEXTAREA,
        required=False,
        max_length=5000,
    )
    evidence_requested = forms.CharField(
        label="Evidence you ask the organisation for (optional)",
        widget=TEXTAREA,
        required=False,
        max_length=5000,
    )
    evidence_confirmed = forms.BooleanField(
        label="I have seen and confirm the evidence for level 4 or 5",
        help_text="Levels 4 and 5 count only when you confirm their evidence.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "challenge" and not data.get("proposed_level"):
            self.add_error("proposed_level", "Choose the level you propose.")
        return data


class ReplyForm(forms.Form):
    response = forms.ChoiceField(
        label="Do you accept the proposed level?",
        choices=[("accept", "Accept the proposed level"), ("contest", "Contest it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you accept or contest the challenge."},
    )
    text = forms.CharField(
        label="Why you contest it",
        help_text="Needed if you contest: what the reviewer has missed.",
        widget=TEXTAREA,
        required=False,
        max_length=5000,
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        help_text="Links to, or descriptions of, the documents that show the level is met.",
        widget=TEXTAREA,
        required=False,
        max_length=5000,
    )


class ModerationForm(forms.Form):
    level = forms.TypedChoiceField(
        label="Decided level",
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decided level."},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": "Enter the reason for the decision."},
    )
    evidence_confirmed = forms.BooleanField(
        label="I have seen and confirm the evidence for level 4 or 5",
        required=False,
    )


class FlagDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What do you decide?",
        choices=[
            ("clear", "Clear the flag: the explanation is satisfactory"),
            ("query", "Query it with the organisation"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to clear or query the flag."},
    )
    reason = forms.CharField(
        label="Reason, or your question for the organisation",
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": "Enter the reason or your question."},
    )


class FlagReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": "Enter your reply."},
    )


class OverrideForm(forms.Form):
    reviewer = forms.CharField(
        label="ODS code of the new reviewing organisation",
        max_length=32,
        error_messages={"required": "Enter the ODS code of the new reviewing organisation."},
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": "Enter the reason for the change."},
    )


class MatchingForm(forms.Form):
    max_load = forms.IntegerField(
        label="Most returns one organisation reviews in the cycle",
        min_value=1,
        max_value=10,
        initial=2,
        error_messages={
            "required": "Enter the most returns one organisation reviews.",
            "invalid": "Enter a whole number from 1 to 10.",
            "min_value": "Enter a whole number from 1 to 10.",
            "max_value": "Enter a whole number from 1 to 10.",
        },
    )


class BlindSampleForm(forms.Form):
    share = forms.IntegerField(
        label="Percentage of reviewed returns to review twice",
        min_value=1,
        max_value=100,
        initial=10,
        error_messages={
            "required": "Enter a percentage from 1 to 100.",
            "invalid": "Enter a percentage from 1 to 100.",
            "min_value": "Enter a percentage from 1 to 100.",
            "max_value": "Enter a percentage from 1 to 100.",
        },
    )


class FundingRoundForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the funding round's name."},
    )
    closes_on = forms.DateField(
        label="Closing date",
        help_text="For example, 2026-06-30",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the closing date.",
            "invalid": "Enter the closing date as year-month-day, for example 2026-06-30.",
        },
    )
    description = forms.CharField(
        label="Description (optional)", widget=TEXTAREA, required=False, max_length=5000
    )


class CalibrationForm(forms.Form):
    """One level question per calibration case not yet scored."""

    def __init__(self, *args: Any, cases: list[Any], scored: dict[str, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.cases = cases
        for case in cases:
            if case.case_id in scored:
                continue
            self.fields[case.case_id] = forms.TypedChoiceField(
                label=case.title,
                choices=LEVEL_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.fields and not any(v is not None and v != "" for v in data.values()):
            raise forms.ValidationError("Choose a level for at least one case.")
        return data

    def levels(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if isinstance(v, int)}
