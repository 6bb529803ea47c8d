"""Importing answers into a return from a file: all or nothing.

Every row (or FHIR item) is checked before anything is written; if any is wrong, nothing is saved
and every problem is reported. The answers are then saved through
:func:`maturity.assessments.services.answers_save` (versions, permissions and audit as for the
answering pages) in one transaction; a conflict it finds (someone saved an item in between) rolls
the whole import back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from maturity.audit.services import record

from ..exceptions import AssessmentError
from ..models import Return
from .answer_rows import Checked, UnreadableFile, check_rows, read_table
from .data import catalogue_of, stored_answers
from .fhir import ImportRefused, questionnaire_response_to_changes

SOURCE_RESPONSE = "FHIR QuestionnaireResponse"


@dataclass(frozen=True)
class ImportResult:
    source: str
    saved: int
    unchanged: int = 0
    skipped: int = 0


def _check_editor(by: Any, return_: Return) -> None:
    from ..selectors import accepts_answers, is_editor

    if not is_editor(by, return_.organisation_id):
        raise PermissionDenied(
            "Only the organisation's contributors and submitters can import answers."
        )
    if not accepts_answers(return_):
        raise ImportRefused([LOCKED_MESSAGE])


LOCKED_MESSAGE = (
    "This return accepts no changes now (it is committed, withdrawn, or its cycle is not open)."
)


def _save(*, by: Any, return_: Return, changes: list[Any], where: dict[str, str]) -> int:
    """Save every change or none; ``where`` names each item's line for the messages."""
    from ..services import answers_save

    if not changes:
        return 0
    try:
        result = answers_save(by=by, return_=return_, changes=changes)
    except AssessmentError as refusal:
        raise ImportRefused([refusal.message]) from None
    problems = [
        f"{where.get(c.item_id, repr(c.item_id))}: changed by someone else during the import "
        f"(now version {c.current_version}); nothing was imported, try again"
        for c in result.conflicts
    ] + [f"{where.get(item, repr(item))}: {message}" for item, message in result.errors.items()]
    if problems:
        raise ImportRefused(problems)  # rolls back what answers_save wrote
    return len(result.saved)


@transaction.atomic
def answers_import_table(
    *, by: Any, return_: Return, data: bytes, filename: str = ""
) -> ImportResult:
    """Import a CSV or Excel file of ``item_id,value[,version]`` rows into the return.

    Raises :class:`ImportRefused` with every bad row ("line 7, column value: …"),
    ``PermissionDenied`` for someone who cannot edit the return.
    """
    from ..services import AnswerChange

    _check_editor(by, return_)
    try:
        table = read_table(data, filename)
    except UnreadableFile as error:
        raise ImportRefused([str(error)]) from None
    checked: Checked = check_rows(table, catalogue_of(return_), stored_answers(return_))
    if checked.problems:
        raise ImportRefused(checked.problems)
    changes = [AnswerChange(p.item_id, p.value, p.expected_version) for p in checked.proposed]
    where = {p.item_id: f"line {p.line}, column value" for p in checked.proposed}
    saved = _save(by=by, return_=return_, changes=changes, where=where)
    record(
        actor=by,
        action="return.answers_imported",
        target=return_,
        organisation=return_.organisation_id,
        after={
            "source": table.source,
            "file": filename[:200],
            "saved": saved,
            "items": sorted(c.item_id for c in changes),
        },
    )
    return ImportResult(
        source=table.source,
        saved=saved,
        unchanged=checked.unchanged,
        skipped=checked.skipped_blank + checked.skipped_scores,
    )


def parse_response(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        parsed = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused([f"the file is not JSON that can be read ({error})"]) from None
    if not isinstance(parsed, dict):
        raise ImportRefused(["the file is JSON but not a FHIR resource (an object)"])
    return parsed


@transaction.atomic
def answers_import_response(
    *,
    by: Any,
    return_: Return,
    response: bytes | str | dict[str, Any],
    base_url: str | None = None,
) -> ImportResult:
    """Import a FHIR QuestionnaireResponse into the return (see
    :func:`fhir.questionnaire_response_to_changes` for what is refused)."""
    _check_editor(by, return_)
    changes = questionnaire_response_to_changes(
        parse_response(response), return_, base_url=base_url
    )
    where = {c.item_id: f"item {c.item_id!r}" for c in changes}
    saved = _save(by=by, return_=return_, changes=changes, where=where)
    record(
        actor=by,
        action="return.answers_imported",
        target=return_,
        organisation=return_.organisation_id,
        after={"source": SOURCE_RESPONSE, "saved": saved, "items": [c.item_id for c in changes]},
    )
    return ImportResult(source=SOURCE_RESPONSE, saved=saved)


def looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def answers_import_upload(
    *, by: Any, return_: Return, data: bytes, filename: str = "", base_url: str | None = None
) -> ImportResult:
    """Import an uploaded file, whichever it is: a QuestionnaireResponse (JSON), CSV or Excel."""
    if looks_like_json(data):
        return answers_import_response(by=by, return_=return_, response=data, base_url=base_url)
    return answers_import_table(by=by, return_=return_, data=data, filename=filename)
