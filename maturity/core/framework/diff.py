"""What changed between two editions: domains, their levels and criteria, contextual questions.

Domains are matched first through the newer edition's ``comparable_with`` (when the older edition
is its previous edition), then by id. A matched pair is *changed* when anything a reader sees
differs (name, summary, guidance, care settings, level titles, criteria text or evidence).
Criteria are matched by their id without the domain prefix (``l3.a``), so a domain renamed
through ``comparable_with`` still lines up.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .schema import ContextualQuestion, Criterion, Domain, Edition


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class TextChange(_Out):
    field: str
    old: str | None
    new: str | None


class CriterionDiff(_Out):
    key: str
    level: int
    change: Literal["added", "removed", "changed"]
    old_id: str | None
    new_id: str | None
    old_text: str | None
    new_text: str | None
    old_evidence: str | None
    new_evidence: str | None

    @property
    def text_changed(self) -> bool:
        return self.old_text != self.new_text


class LevelDiff(_Out):
    level: int
    old_title: str | None
    new_title: str | None
    criteria: list[CriterionDiff]

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title


class DomainRef(_Out):
    id: str
    name: str
    pillar: str
    care_settings: list[str]
    comparable_with: str | None
    change_note: str | None


class DomainDiff(_Out):
    old_id: str
    new_id: str
    name: str
    pillar: str
    matched_by: Literal["comparable_with", "id"]
    # Whether year-on-year change may be computed; None when the editions are not consecutive.
    comparable: bool | None
    change_note: str | None
    changes: list[TextChange]
    care_settings_added: list[str]
    care_settings_removed: list[str]
    levels: list[LevelDiff]

    @property
    def changed(self) -> bool:
        return bool(
            self.changes or self.care_settings_added or self.care_settings_removed or self.levels
        )

    @property
    def criteria_changed(self) -> int:
        return sum(len(level.criteria) for level in self.levels)


class QuestionRef(_Out):
    id: str
    text: str
    care_settings: list[str]


class QuestionDiff(_Out):
    id: str
    text: str
    changes: list[TextChange]


class EditionDiff(_Out):
    old_edition: str
    new_edition: str
    consecutive: bool
    added: list[DomainRef]
    removed: list[DomainRef]
    changed: list[DomainDiff]
    unchanged: list[DomainDiff]
    questions_added: list[QuestionRef]
    questions_removed: list[QuestionRef]
    questions_changed: list[QuestionDiff]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.removed
            or self.changed
            or self.questions_added
            or self.questions_removed
            or self.questions_changed
        )


def diff_editions(old: Edition, new: Edition) -> EditionDiff:
    """The differences from ``old`` to ``new`` (see the module docstring)."""
    consecutive = new.previous_edition == old.id
    old_by_id = {domain.id: domain for domain in old.domains}
    matches: dict[str, tuple[Domain, Literal["comparable_with", "id"]]] = {}
    taken: set[str] = set()
    if consecutive:
        for domain in new.domains:
            target = domain.comparable_with
            if target in old_by_id and target not in taken:
                matches[domain.id] = (old_by_id[target], "comparable_with")
                taken.add(target)
    for domain in new.domains:
        if domain.id not in matches and domain.id in old_by_id and domain.id not in taken:
            matches[domain.id] = (old_by_id[domain.id], "id")
            taken.add(domain.id)

    changed: list[DomainDiff] = []
    unchanged: list[DomainDiff] = []
    added: list[DomainRef] = []
    for domain in new.domains:
        if domain.id not in matches:
            added.append(_ref(domain))
            continue
        before, how = matches[domain.id]
        result = _domain_diff(before, domain, how, consecutive)
        (changed if result.changed else unchanged).append(result)
    removed = [_ref(domain) for domain in old.domains if domain.id not in taken]

    old_questions = {q.id: q for q in old.contextual_questions}
    new_questions = {q.id: q for q in new.contextual_questions}
    questions_changed = []
    for question in new.contextual_questions:
        if question.id in old_questions:
            changes = _question_changes(old_questions[question.id], question)
            if changes:
                questions_changed.append(
                    QuestionDiff(id=question.id, text=question.text, changes=changes)
                )
    return EditionDiff(
        old_edition=old.id,
        new_edition=new.id,
        consecutive=consecutive,
        added=added,
        removed=removed,
        changed=changed,
        unchanged=unchanged,
        questions_added=[
            _question_ref(q) for q in new.contextual_questions if q.id not in old_questions
        ],
        questions_removed=[
            _question_ref(q) for q in old.contextual_questions if q.id not in new_questions
        ],
        questions_changed=questions_changed,
    )


def _ref(domain: Domain) -> DomainRef:
    return DomainRef(
        id=domain.id,
        name=domain.name,
        pillar=domain.pillar,
        care_settings=[s.value for s in domain.care_settings],
        comparable_with=domain.comparable_with,
        change_note=domain.change_note,
    )


def _question_ref(question: ContextualQuestion) -> QuestionRef:
    return QuestionRef(
        id=question.id, text=question.text, care_settings=[s.value for s in question.care_settings]
    )


def _domain_diff(
    old: Domain, new: Domain, how: Literal["comparable_with", "id"], consecutive: bool
) -> DomainDiff:
    changes = [
        TextChange(field=name, old=before, new=after)
        for name, before, after in (
            ("pillar", old.pillar.value, new.pillar.value),
            ("name", old.name, new.name),
            ("summary", old.summary, new.summary),
            ("guidance.good_enough", old.guidance.good_enough, new.guidance.good_enough),
            ("guidance.do_better", old.guidance.do_better, new.guidance.do_better),
        )
        if before != after
    ]
    old_settings = [s.value for s in old.care_settings]
    new_settings = [s.value for s in new.care_settings]
    return DomainDiff(
        old_id=old.id,
        new_id=new.id,
        name=new.name,
        pillar=new.pillar.value,
        matched_by=how,
        comparable=(new.comparable_with == old.id) if consecutive else None,
        change_note=new.change_note,
        changes=changes,
        care_settings_added=[s for s in new_settings if s not in old_settings],
        care_settings_removed=[s for s in old_settings if s not in new_settings],
        levels=_level_diffs(old, new),
    )


def _level_diffs(old: Domain, new: Domain) -> list[LevelDiff]:
    result = []
    numbers = sorted({level.level for level in old.levels} | {level.level for level in new.levels})
    for number in numbers:
        before = next((level for level in old.levels if level.level == number), None)
        after = next((level for level in new.levels if level.level == number), None)
        old_criteria = {_key(old, c): c for c in (before.criteria if before else [])}
        new_criteria = {_key(new, c): c for c in (after.criteria if after else [])}
        criteria = []
        for key in [*old_criteria, *(k for k in new_criteria if k not in old_criteria)]:
            was, now = old_criteria.get(key), new_criteria.get(key)
            if was is not None and now is not None:
                if was.text == now.text and was.evidence == now.evidence:
                    continue
                change: Literal["added", "removed", "changed"] = "changed"
            else:
                change = "added" if was is None else "removed"
            criteria.append(
                CriterionDiff(
                    key=key,
                    level=number,
                    change=change,
                    old_id=_get(was, "id"),
                    new_id=_get(now, "id"),
                    old_text=_get(was, "text"),
                    new_text=_get(now, "text"),
                    old_evidence=_get(was, "evidence"),
                    new_evidence=_get(now, "evidence"),
                )
            )
        old_title = before.title if before else None
        new_title = after.title if after else None
        if criteria or old_title != new_title:
            result.append(
                LevelDiff(level=number, old_title=old_title, new_title=new_title, criteria=criteria)
            )
    return result


def _key(domain: Domain, criterion: Criterion) -> str:
    return criterion.id.removeprefix(domain.id + ".")


def _get(criterion: Criterion | None, name: str) -> Any:
    return None if criterion is None else getattr(criterion, name)


_QUESTION_FIELDS = (
    "text",
    "type",
    "hint",
    "unit",
    "options",
    "care_settings",
    "mandatory",
    "evidences",
    "enable_when",
    "minimum",
    "maximum",
)


def _question_changes(old: ContextualQuestion, new: ContextualQuestion) -> list[TextChange]:
    changes = []
    for name in _QUESTION_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(TextChange(field=name, old=_show(before), new=_show(after)))
    return changes


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}: {v}" for k, v in value.model_dump(mode="json").items())
    if isinstance(value, list):
        return ", ".join(
            item.label if hasattr(item, "label") and hasattr(item, "value") else str(item)
            for item in value
        )
    return str(value)
