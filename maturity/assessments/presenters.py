"""Display helpers for the assessment pages: status words and tag colours, safe element ids,
answer values in words. No queries here; the selectors load, these only format.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from maturity.core.framework.schema import ContextualQuestion, QuestionType
from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting

NARRATIVE_PREFIX = "narrative:"

# NHS.UK task list wording (Not yet started / In progress / Completed) plus our copied state.
TASK_STATUS: dict[str, tuple[str, str | None]] = {
    "not_started": ("Not yet started", "blue"),
    "in_progress": ("In progress", "aqua-green"),
    "completed": ("Completed", None),
    "copied": ("Copied – check and confirm", "yellow"),
}

RETURN_STATUS: dict[str, tuple[str, str]] = {
    "not_started": ("Not started", "grey"),
    "in_progress": ("In progress", "blue"),
    "committed": ("Committed", "green"),
}

CRITERION_CHOICES: list[tuple[str, str]] = [
    ("met", "Met"),
    ("not_met", "Not met"),
    ("na", "Not applicable"),
]
CRITERION_LABELS = dict(CRITERION_CHOICES)

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def dom_id(item_id: str) -> str:
    """An element id for an item: ids with dots or colons would need escaping in CSS selectors."""
    return "item-" + _UNSAFE.sub("-", item_id)


def narrative_id(domain_id: str) -> str:
    return NARRATIVE_PREFIX + domain_id


def task_status(status: str) -> tuple[str, str | None]:
    """(words, tag colour or None for plain text) of a domain's task-list status."""
    return TASK_STATUS.get(status, (status.replace("_", " ").capitalize(), "grey"))


def task_status_tag(status: str) -> dict[str, Any]:
    """The NHS.UK task list ``status`` parameter for a domain status."""
    text, colour = task_status(status)
    if colour is None:
        return {"text": text}
    return {"tag": {"text": text, "colour": colour}}


def return_status(return_: Any) -> tuple[str, str]:
    """(words, tag colour) for a return, with withdrawn and late taking precedence."""
    if getattr(return_, "withdrawn_at", None):
        return "Withdrawn", "grey"
    status = str(return_.status)
    if status != "committed" and getattr(return_, "late", False):
        return "Late", "red"
    return RETURN_STATUS.get(status, (status.replace("_", " ").capitalize(), "grey"))


def care_setting_label(value: str) -> str:
    try:
        return CARE_SETTING_LABELS[CareSetting(value)]
    except ValueError:
        return value


def criterion_value_text(value: Any) -> str:
    if value in (None, ""):
        return "No answer"
    return CRITERION_LABELS.get(str(value), str(value))


def level_text(level: int | None) -> str:
    if not level:
        return "No level yet"
    return f"Level {level}"


def question_value_text(question: ContextualQuestion | None, value: Any) -> str:
    """A stored contextual answer as the person gave it: "Yes", "45%", "1 April 2024"."""
    if value in (None, "", []):
        return "No answer"
    if question is None:
        return str(value)
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "Yes" if value is True or str(value).lower() in ("yes", "true") else "No"
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        values = value if isinstance(value, list) else [value]
        labels = []
        for item in values:
            try:
                labels.append(question.option_label(str(item)))
            except KeyError:
                labels.append(str(item))
        return ", ".join(labels)
    if kind == QuestionType.PERCENTAGE:
        return f"{number_text(value)}%"
    if kind == QuestionType.INTEGER:
        unit = f" {question.unit}" if question.unit else ""
        return f"{number_text(value)}{unit}"
    if kind == QuestionType.DATE:
        day = _as_date(value)
        return f"{day.day} {day:%B %Y}" if day else str(value)
    return str(value)


def item_value_text(item_id: str, value: Any, question: ContextualQuestion | None = None) -> str:
    """Any answer in words, whatever kind of item it belongs to."""
    if question is not None:
        return question_value_text(question, value)
    if item_id.startswith(NARRATIVE_PREFIX):
        return "No narrative" if not value else f"“{value}”"
    return criterion_value_text(value)


def number_text(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(number)) if number == int(number) else f"{number:g}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def when_text(moment: dt.datetime | None) -> str:
    """A time of day and date in local time: "14:05 on 23 November 2026"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def person_name(user: Any) -> str:
    if user is None:
        return "Unknown"
    full = (user.get_full_name() or "").strip()
    return full or user.get_username()


def sentence(message: str) -> str:
    """Core validation messages are lower case fragments; pages show them as sentences."""
    message = str(message).strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message


def error_text(item_id: str, message: str) -> str:
    """A refusal from the services as the page shows it: without the leading item id (the
    message sits next to the item) and as a sentence."""
    message = str(message).strip()
    prefix = f"{item_id}: "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return sentence(message)


def rate_text(rate: float | None) -> str:
    if rate is None:
        return "–"
    return f"{rate:.0f}%" if rate == int(rate) else f"{rate:.1f}%"


@dataclass(frozen=True)
class LevelSummary:
    """ "The level this gives", in words for the page and the autosave partial."""

    level: int
    text: str


def level_summary(level: int | None) -> LevelSummary:
    if not level:
        return LevelSummary(0, "These answers do not yet meet level 1.")
    return LevelSummary(level, f"These answers give level {level}.")


# --- contextual questions as form fields ----------------------------------------------------------

RADIO_LIMIT = 8  # more options than this are offered as a select


@dataclass
class QuestionField:
    """One contextual question ready to draw: its value as shown, version, error and the
    questions revealed by one of its answers (drawn inside that answer when JavaScript runs)."""

    question: ContextualQuestion
    dom_id: str
    name: str
    shown: str
    original: str
    version: int | None
    error: str
    only_if: str
    control: str  # radios, select, checkboxes, date, percentage, integer, text
    revealed: dict[str, list[QuestionField]]
    saved_text: str = ""

    @property
    def label(self) -> str:
        return self.question.text if self.question.mandatory else f"{self.question.text} (optional)"

    @property
    def chosen(self) -> list[str]:
        return [v for v in self.shown.split(",") if v] if self.control == "checkboxes" else []

    @property
    def date_values(self) -> dict[str, str]:
        parts = (self.shown.split("-") + ["", "", ""])[:3] if self.shown else ["", "", ""]
        return {"day": parts[0], "month": parts[1], "year": parts[2]}

    def options(self) -> list[tuple[str, str]]:
        if self.question.type == QuestionType.YES_NO:
            return [("yes", "Yes"), ("no", "No")]
        return [(option.value, option.label) for option in self.question.options]


def _control(question: ContextualQuestion) -> str:
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "radios"
    if kind == QuestionType.SINGLE_CHOICE:
        return "radios" if len(question.options) <= RADIO_LIMIT else "select"
    if kind == QuestionType.MULTIPLE_CHOICE:
        return "checkboxes"
    return str(kind.value)


def _condition_key(trigger: ContextualQuestion, answer: Any) -> str | None:
    if trigger.type == QuestionType.YES_NO:
        return "yes" if answer is True else "no" if answer is False else None
    return answer if isinstance(answer, str) else None


def only_if_text(question: ContextualQuestion, by_id: dict[str, ContextualQuestion]) -> str:
    condition = question.enable_when
    if condition is None:
        return ""
    trigger = by_id.get(condition.question)
    if trigger is None:
        return ""
    expected = condition.answer if isinstance(condition.answer, list) else [condition.answer]
    words = " or ".join(f"“{question_value_text(trigger, value)}”" for value in expected)
    verb = "did not answer" if condition.operator == "not_equals" else "answered"
    return f"Only answer if you {verb} {words} to “{trigger.text}”."


def question_fields(
    questions: list[ContextualQuestion],
    answers: dict[str, Any],
    posted: dict[str, Any],
    errors: dict[str, str],
) -> list[QuestionField]:
    """The page's questions in order, dependants nested under the answer that reveals them.

    ``answers`` maps question ids to stored answers (objects with ``value`` and ``version``);
    ``posted`` maps ids to what was posted when the page is drawn again after an error. A
    question shown only for an "equals" answer of a radio or checkbox question is nested there,
    so the NHS.UK conditional reveal shows it when JavaScript runs; without JavaScript every
    question shows, each with an "Only answer if …" hint.
    """
    from .forms import question_shown

    by_id = {q.id: q for q in questions}
    fields: dict[str, QuestionField] = {}
    for question in questions:
        answer = answers.get(question.id)
        stored = question_shown(question, getattr(answer, "value", None)) if answer else ""
        sent = posted.get(question.id)
        version = sent.expected_version if sent else getattr(answer, "version", None)
        fields[question.id] = QuestionField(
            question=question,
            dom_id=dom_id(question.id),
            name="answer-" + question.id,
            shown=sent.shown if sent else stored,
            # After a refused save the page keeps the original it was drawn with, so the item
            # still counts as changed when it is sent again.
            original=sent.original if sent else stored,
            version=version,
            error=errors.get(question.id, ""),
            only_if=only_if_text(question, by_id),
            control=_control(question),
            revealed={},
            saved_text=question_value_text(question, getattr(answer, "value", None)),
        )
    top: list[QuestionField] = []
    for question in questions:
        field = fields[question.id]
        condition = question.enable_when
        parent = fields.get(condition.question) if condition else None
        key = (
            _condition_key(parent.question, condition.answer)
            if parent and condition.operator == "equals"
            else None
        )
        if parent and key and parent.control in ("radios", "checkboxes"):
            parent.revealed.setdefault(key, []).append(field)
        else:
            top.append(field)
    return top


# --- items by id ----------------------------------------------------------------------------------


def item_label(edition: Any, item_id: str) -> str:
    """What an item asks, in words, for conflict and missing-item lists."""
    if item_id.startswith(NARRATIVE_PREFIX):
        domain_id = item_id[len(NARRATIVE_PREFIX) :]
        try:
            return f"Narrative for {edition.domain(domain_id).name}"
        except KeyError:
            return f"Narrative for {domain_id}"
    try:
        domain, level, criterion = edition.criterion(item_id)
    except KeyError:
        pass
    else:
        return f"{domain.name}, level {level.level}: {criterion.text}"
    try:
        return edition.question(item_id).text
    except KeyError:
        return item_id


def item_question(edition: Any, item_id: str) -> ContextualQuestion | None:
    try:
        return edition.question(item_id)
    except KeyError:
        return None


def item_domain_id(edition: Any, item_id: str) -> str | None:
    """The domain whose page holds the item; None for a contextual question."""
    if item_id.startswith(NARRATIVE_PREFIX):
        return item_id[len(NARRATIVE_PREFIX) :]
    try:
        domain, _level, _criterion = edition.criterion(item_id)
    except KeyError:
        return None
    return domain.id


# --- the domain page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    """A criterion or a narrative ready to draw: value shown, version and original for the
    hidden inputs, an inline error, and the saved value in words for read-only pages."""

    item_id: str
    dom_id: str
    text: str
    hint: str
    shown: str
    original: str
    version: int | None
    error: str
    saved_text: str


@dataclass(frozen=True)
class LevelRows:
    level: int
    title: str
    criteria: list[ItemRow]


def _row(item_id: str, text: str, hint: str, answer: Any, sent: Any, error: str) -> ItemRow:
    stored = "" if answer is None or answer.value is None else str(answer.value)
    return ItemRow(
        item_id=item_id,
        dom_id=dom_id(item_id),
        text=text,
        hint=hint,
        shown=sent.shown if sent else stored,
        original=sent.original if sent else stored,
        version=sent.expected_version if sent else getattr(answer, "version", None),
        error=error,
        saved_text=item_value_text(item_id, answer.value if answer else None),
    )


def level_rows(
    domain: Any, answers: dict[str, Any], posted: dict[str, Any], errors: dict[str, str]
) -> list[LevelRows]:
    """The domain's levels 1–5 with each criterion's row, in the edition's order."""
    levels = []
    for level in domain.levels:
        rows = [
            _row(
                criterion.id,
                criterion.text,
                f"Evidence needed: {criterion.evidence}" if criterion.evidence else "",
                answers.get(criterion.id),
                posted.get(criterion.id),
                errors.get(criterion.id, ""),
            )
            for criterion in level.criteria
        ]
        levels.append(LevelRows(level=level.level, title=level.title, criteria=rows))
    return levels


def narrative_row(
    domain: Any, answers: dict[str, Any], posted: dict[str, Any], errors: dict[str, str]
) -> ItemRow:
    item_id = narrative_id(domain.id)
    return _row(
        item_id,
        "Narrative",
        "Describe how you reached these answers and what you plan next. Reviewers read this.",
        answers.get(item_id),
        posted.get(item_id),
        errors.get(item_id, ""),
    )


def criterion_row(edition: Any, item_id: str, answer: Any) -> ItemRow:
    """One item's row as saved now (for the autosave partial that redraws a single item)."""
    if item_id.startswith(NARRATIVE_PREFIX):
        domain = edition.domain(item_id[len(NARRATIVE_PREFIX) :])
        return narrative_row(domain, {item_id: answer} if answer else {}, {}, {})
    _domain, _level, criterion = edition.criterion(item_id)
    hint = f"Evidence needed: {criterion.evidence}" if criterion.evidence else ""
    return _row(item_id, criterion.text, hint, answer, None, "")


@dataclass(frozen=True)
class Thread:
    comment: Any
    replies: list[Any]


def comment_threads(comments: list[Any]) -> list[Thread]:
    """Threads in order: a first comment and its replies. Accepts a flat list (replies included)
    or first comments with their replies prefetched."""
    firsts = [c for c in comments if c.parent_id is None]
    flat = [c for c in comments if c.parent_id is not None]
    if flat:
        by_parent: dict[int, list[Any]] = {}
        for reply in flat:
            by_parent.setdefault(reply.parent_id, []).append(reply)
        return [Thread(c, by_parent.get(c.pk, [])) for c in firsts]
    return [Thread(c, list(c.replies.all())) for c in firsts]


def file_size_text(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"


def not_editable_reason(return_: Any) -> str:
    """Why a return cannot be changed by the person looking at it, for the 403 page."""
    if getattr(return_, "withdrawn_at", None):
        return "This return has been withdrawn from the cycle, so it cannot be changed."
    if str(return_.status) == "committed":
        return "This return is committed and locked. Only NHS England can unlock it."
    if str(return_.cycle.status) != "open":
        state = return_.cycle.get_status_display().lower()
        return f"The cycle is {state}, so returns cannot be changed."
    return "Only the organisation’s contributors and submitters can change this return."
