"""Forms for the assessment pages: they parse and check input; the services decide and write.

Answer forms are not Django forms: the items come from the framework edition, so the page posts
``answer-<item>`` (the value), ``version-<item>`` (the answer's version when the page was drawn,
blank when there was no answer) and ``original-<item>`` (the value the page showed). Only items
whose value differs from what was shown are sent to the service, so an item somebody else changed
meanwhile is never reported as a conflict unless this person changed it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from maturity.accounts.rules import RETURNING_KINDS
from maturity.core.framework.schema import ContextualQuestion, QuestionType
from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting
from maturity.organisations.models import OrganisationKind

from .presenters import CRITERION_LABELS, NARRATIVE_PREFIX, number_text

# Evidence files: what the upload control offers. The service sniffs the content and has the
# final word; this only helps people pick the right file.
EVIDENCE_ACCEPT = (
    ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg,.gif,"
    "application/pdf,application/msword,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.ms-excel,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "image/png,image/jpeg,image/gif"
)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

ANSWER = "answer-"
VERSION = "version-"
ORIGINAL = "original-"


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostedItem:
    """One item as posted: its value for the service, whether the person changed it, its version."""

    item_id: str
    value: Any
    shown: str  # the value as the form carries it, to draw the form again
    original: str  # the value the page was drawn with
    changed: bool
    expected_version: int | None
    error: str = ""


def parse_version(raw: str | None) -> int | None:
    """The version the page was drawn with; blank means "I saw no answer"."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        version = int(raw)
    except ValueError:
        return None
    return version if version >= 1 else None


def _norm(text: str) -> str:
    # Browsers submit textarea line breaks as CRLF; the original travels in a hidden input.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def criterion_item(data: Mapping[str, Any], item_id: str) -> PostedItem:
    value = (data.get(ANSWER + item_id) or "").strip()
    original = (data.get(ORIGINAL + item_id) or "").strip()
    error = ""
    if value and value not in CRITERION_LABELS:
        error = "Choose met, not met or not applicable"
    return PostedItem(
        item_id=item_id,
        value=value or None,
        shown=value or original,
        original=original,
        # Radios cannot be cleared: no choice posted means no change.
        changed=bool(value) and value != original,
        expected_version=parse_version(data.get(VERSION + item_id)),
        error=error,
    )


def narrative_item(data: Mapping[str, Any], item_id: str) -> PostedItem:
    value = _norm(data.get(ANSWER + item_id) or "")
    original = _norm(data.get(ORIGINAL + item_id) or "")
    return PostedItem(
        item_id=item_id,
        value=value.strip(),
        shown=value,
        original=original,
        changed=value.strip() != original.strip(),
        expected_version=parse_version(data.get(VERSION + item_id)),
    )


def domain_items(data: Mapping[str, Any], item_ids: Iterable[str]) -> list[PostedItem]:
    """The posted criteria and narrative of a domain page, in page order."""
    return [
        narrative_item(data, item_id)
        if item_id.startswith(NARRATIVE_PREFIX)
        else criterion_item(data, item_id)
        for item_id in item_ids
    ]


def date_parts(data: Mapping[str, Any], prefix: str) -> tuple[str, str, str]:
    return tuple((data.get(f"{prefix}[{part}]") or "").strip() for part in ("day", "month", "year"))


def date_from_parts(day: str, month: str, year: str) -> tuple[dt.date | None, str]:
    """(date, error): blank parts give (None, ""), a real date gives (date, "")."""
    if not (day or month or year):
        return None, ""
    missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
    if missing:
        return None, f"The date must include a {' and '.join(missing)}"
    try:
        number_day, number_month, number_year = int(day), int(month), int(year)
    except ValueError:
        return None, "Enter the date as numbers, for example 31 3 2025"
    if number_year < 1900 or number_year > 2100:
        return None, "Enter a year with 4 numbers, for example 2025"
    try:
        return dt.date(number_year, number_month, number_day), ""
    except ValueError:
        return None, "Enter a real date, for example 31 3 2025"


def question_shown(question: ContextualQuestion, value: Any) -> str:
    """A stored contextual answer as the form draws it (the ``original-`` value)."""
    if value in (None, "", []):
        return ""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "yes" if value is True or str(value).lower() in ("yes", "true") else "no"
    if kind == QuestionType.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else [value]
        return ",".join(sorted(str(v) for v in values))
    if kind in (QuestionType.PERCENTAGE, QuestionType.INTEGER):
        return number_text(value)
    if kind == QuestionType.DATE:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day}-{day.month}-{day.year}"
    return str(value)


def question_item(data: Mapping[str, Any], question: ContextualQuestion) -> PostedItem:
    """A contextual answer as posted: the value goes to the service, which checks its type."""
    item_id = question.id
    original = data.get(ORIGINAL + item_id) or ""
    version = parse_version(data.get(VERSION + item_id))
    kind = question.type
    error = ""
    if kind == QuestionType.MULTIPLE_CHOICE:
        chosen = (
            [v for v in data.getlist(ANSWER + item_id) if v] if hasattr(data, "getlist") else []
        )
        shown = ",".join(sorted(chosen))
        value: Any = chosen or None
    elif kind == QuestionType.DATE:
        day, month, year = date_parts(data, ANSWER + item_id)
        shown = f"{day}-{month}-{year}" if (day or month or year) else ""
        parsed, error = date_from_parts(day, month, year)
        value = parsed.isoformat() if parsed else None
        if shown and parsed:
            shown = f"{parsed.day}-{parsed.month}-{parsed.year}"
    else:
        shown = (data.get(ANSWER + item_id) or "").strip()
        value = shown or None
    return PostedItem(
        item_id=item_id,
        value=value,
        shown=shown,
        original=original,
        changed=_norm(shown) != _norm(original).strip(),
        expected_version=version,
        error=error,
    )


# --- dates as three boxes (NHS.UK date input) ----------------------------------------------------


class DatePartsWidget(forms.Widget):
    """Reads ``<name>[day]``, ``<name>[month]`` and ``<name>[year]``."""

    def value_from_datadict(self, data, files, name):
        return date_parts(data, name)

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}[{part}]" in data for part in ("day", "month", "year"))


class DatePartsField(forms.Field):
    widget = DatePartsWidget

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if not value:
            return None
        parsed, error = date_from_parts(*value)
        if error:
            raise ValidationError(error, code="invalid")
        return parsed

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(f"Enter the {self.label[0].lower()}{self.label[1:]}", "required")


# --- cycles -------------------------------------------------------------------------------------

# The kinds of organisation that answer returns (accounts.rules), in the registry's order.
ORGANISATION_KIND_CHOICES = [
    (kind.value, kind.label) for kind in OrganisationKind if kind.value in RETURNING_KINDS
]
CARE_SETTING_CHOICES = [(s.value, CARE_SETTING_LABELS[s]) for s in CareSetting]
CYCLE_DATES = (
    ("opens_on", "Date the cycle opens"),
    ("closes_on", "Date returns are due"),
    ("review_closes_on", "Date peer review closes"),
    ("provisional_release_on", "Date of provisional release"),
    ("publication_on", "Date of publication"),
)


class ScopeForm(forms.Form):
    organisation_kinds = forms.MultipleChoiceField(
        label="Kinds of organisation",
        choices=ORGANISATION_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that take part.",
        error_messages={"required": "Select at least one kind of organisation"},
    )
    care_settings = forms.MultipleChoiceField(
        label="Care settings",
        choices=CARE_SETTING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="An organisation answers one return for each of its care settings in scope.",
        error_messages={"required": "Select at least one care setting"},
    )


class CycleForm(ScopeForm):
    year = forms.IntegerField(
        label="Year",
        min_value=2000,
        max_value=2100,
        help_text="The year the assessment is for, for example 2026.",
        error_messages={
            "required": "Enter the year",
            "invalid": "Enter the year as 4 numbers, for example 2026",
            "min_value": "Enter a year from 2000",
            "max_value": "Enter a year before 2100",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Digital maturity assessment 2026.",
        error_messages={"required": "Enter a title"},
    )
    edition_id = forms.ChoiceField(
        label="Framework edition",
        error_messages={"required": "Select a framework edition"},
    )
    opens_on = DatePartsField(label=CYCLE_DATES[0][1])
    closes_on = DatePartsField(label=CYCLE_DATES[1][1])
    review_closes_on = DatePartsField(label=CYCLE_DATES[2][1])
    provisional_release_on = DatePartsField(label=CYCLE_DATES[3][1])
    publication_on = DatePartsField(label=CYCLE_DATES[4][1])

    field_order = [
        "year",
        "title",
        "edition_id",
        "organisation_kinds",
        "care_settings",
        *[name for name, _label in CYCLE_DATES],
    ]

    def __init__(self, *args, editions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["edition_id"].choices = [("", "Select an edition"), *editions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        previous: tuple[str, dt.date] | None = None
        for name, label in CYCLE_DATES:
            day = data.get(name)
            if day is None:
                continue
            if previous is not None and day < previous[1]:
                self.add_error(name, f"{label} must be on or after the {previous[0].lower()}")
            previous = (label, day)
        return data


# --- return actions -----------------------------------------------------------------------------


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label="Why are you unlocking this return?",
        help_text="The organisation and the audit trail will show this reason.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why you are unlocking this return"},
    )


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel or an image, up to 10MB.",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )
    note = forms.CharField(
        label="What does this file show? (optional)", max_length=500, required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError("The selected file must be smaller than 10MB")
        return upload


class EvidenceLinkForm(forms.Form):
    url = forms.URLField(
        label="Web address of the evidence",
        help_text="For example, https://www.example.nhs.uk/board-papers/digital-strategy.pdf",
        max_length=2000,
        assume_scheme="https",
        error_messages={
            "required": "Enter a web address",
            "invalid": "Enter a web address in the correct format, like https://www.nhs.uk",
        },
    )
    note = forms.CharField(
        label="What does this link show? (optional)", max_length=500, required=False
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a comment"},
    )


def reply_prefix(thread_id: int) -> str:
    return f"reply-{thread_id}"


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Who is answering this domain?",
        error_messages={
            "required": "Select a person",
            "invalid_choice": "Select a person from the list",
        },
    )

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Select a person")] + [
            (str(pk), name) for pk, name in people
        ]


class RightOfReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        help_text="Tell NHS England about any factual inaccuracy before the results are published.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your reply"},
    )


class ReopenForm(forms.Form):
    closes_on = DatePartsField(label="New date returns are due")
    reason = forms.CharField(
        label="Why are you reopening the cycle?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reopening the cycle"},
    )


class ConflictChoiceForm(forms.Form):
    """One radio group per conflicting item: keep mine or keep the saved answer."""

    MINE = "mine"
    THEIRS = "theirs"

    def __init__(self, *args, item_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for item_id in item_ids:
            self.fields[f"keep-{item_id}"] = forms.ChoiceField(
                choices=[(self.MINE, "Keep my answer"), (self.THEIRS, "Keep the saved answer")],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose which answer to keep"},
            )
