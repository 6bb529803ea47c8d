"""The conflict page: a save was refused because somebody else saved the item first.

Each conflicting item is listed with both values (the person's and the saved one, who saved it
and when); the person chooses which to keep. Keeping theirs re-sends it with the version they
have now seen, so a third change in between is refused again rather than overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import forms, presenters
from . import _common as common
from . import _reads as reads


@dataclass(frozen=True)
class Pending:
    """A conflict as the page needs it (the service's AnswerConflict has the same attributes)."""

    item_id: str
    current_value: Any
    current_version: int | None
    attempted_value: Any


@dataclass(frozen=True)
class ConflictRow:
    item_id: str
    dom_id: str
    label: str
    yours: str
    saved: str
    saved_by: str
    saved_at: str
    version: int | None
    mine_json: str


def conflict_rows(
    conflicts: list, answers: dict[str, Any], edition: Any = None
) -> list[ConflictRow]:
    rows = []
    for conflict in conflicts:
        question = presenters.item_question(edition, conflict.item_id) if edition else None
        answer = answers.get(conflict.item_id)
        rows.append(
            ConflictRow(
                item_id=conflict.item_id,
                dom_id=presenters.dom_id(conflict.item_id),
                label=presenters.item_label(edition, conflict.item_id)
                if edition
                else conflict.item_id,
                yours=presenters.item_value_text(
                    conflict.item_id, conflict.attempted_value, question
                ),
                saved=presenters.item_value_text(
                    conflict.item_id, conflict.current_value, question
                ),
                saved_by=reads.saved_by(answer),
                saved_at=presenters.when_text(getattr(answer, "updated_at", None)),
                version=conflict.current_version,
                mine_json=json.dumps(conflict.attempted_value, default=str),
            )
        )
    return rows


def conflict_page(
    request: HttpRequest,
    return_,
    conflicts: list,
    *,
    back: str,
    form: forms.ConflictChoiceForm | None = None,
    refresh: bool = False,
) -> HttpResponse:
    edition = common.edition_of(return_)
    item_ids = [conflict.item_id for conflict in conflicts]
    answers = reads.answers_by_item(return_, item_ids)
    if refresh:
        # Drawn again after a missing choice: show what is saved now, with its version.
        conflicts = [
            Pending(
                item_id=conflict.item_id,
                current_value=getattr(answers.get(conflict.item_id), "value", None),
                current_version=getattr(answers.get(conflict.item_id), "version", None),
                attempted_value=conflict.attempted_value,
            )
            for conflict in conflicts
        ]
    context = common.return_context(request, return_)
    context.update(
        rows=conflict_rows(conflicts, answers, edition),
        form=form,
        back=back,
    )
    return render(request, "assessments/conflict.jinja", context, status=409)
