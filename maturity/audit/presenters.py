"""Audit records in plain English: "Jane Smith saved sf.epr.l2.a: not met → met".

The verb is the last part of the action (``answer.saved`` → "saved"), so actions are named in the
past tense. When exactly one field changed, the line names the field; otherwise it names the
target ("committed return 17") and lists the changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .chain import format_timestamp
from .models import AuditRecord

BLANK = "blank"
_MISSING = object()
_TOKEN = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_LONGEST_VALUE = 80


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"


@dataclass(frozen=True)
class AuditRow:
    """One record, ready for the ``audit/_records.jinja`` table."""

    sequence: int
    when: str  # local time, e.g. "23 November 2025, 14:05"
    when_iso: str  # for <time datetime="…">
    who: str
    what: str  # "saved sf.epr.l2.a", "unlocked return 17"
    changes: tuple[Change, ...]  # empty, or each field's before → after
    single_field: bool  # the field is named in `what`; show only before → after
    reason: str
    text: str  # the whole line, as describe() gives it


def value_text(value: Any) -> str:
    """A stored value as words: not_met → "not met", True → "yes", None → "blank"."""
    if value is None or value is _MISSING or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if _TOKEN.fullmatch(value):
            return value.replace("_", " ")
        shown = value if len(value) <= _LONGEST_VALUE else value[: _LONGEST_VALUE - 1] + "…"
        return f"“{shown}”"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 1] + "…"


def changes(record: AuditRecord) -> tuple[Change, ...]:
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    found = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old != new:
            found.append(Change(field=key, before=value_text(old), after=value_text(new)))
    return tuple(found)


def _verb(action: str) -> str:
    return action.rsplit(".", 1)[-1].replace("_", " ")


def _noun(target_type: str) -> str:
    return target_type.rsplit(".", 1)[-1].replace("_", " ")


def _who(record: AuditRecord) -> str:
    return record.actor_label or "System"


def _what(record: AuditRecord, found: tuple[Change, ...]) -> str:
    subject = (
        found[0].field if len(found) == 1 else f"{_noun(record.target_type)} {record.target_id}"
    )
    return f"{_verb(record.action)} {subject}"


def describe(record: AuditRecord) -> str:
    """One line of plain English for a record."""
    found = changes(record)
    line = f"{_who(record)} {_what(record, found)}"
    if len(found) == 1:
        line += f": {found[0].before} → {found[0].after}"
    elif found:
        line += ": " + "; ".join(str(change) for change in found)
    if record.reason:
        line += f" (reason: {record.reason})"
    return line


def when_text(record: AuditRecord) -> str:
    moment = timezone.localtime(record.occurred_at)
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def audit_rows(records: Iterable[AuditRecord]) -> list[AuditRow]:
    rows = []
    for record in records:
        found = changes(record)
        rows.append(
            AuditRow(
                sequence=record.sequence,
                when=when_text(record),
                when_iso=format_timestamp(record.occurred_at),
                who=_who(record),
                what=_what(record, found),
                changes=found,
                single_field=len(found) == 1,
                reason=record.reason,
                text=describe(record),
            )
        )
    return rows
