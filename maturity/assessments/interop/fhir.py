"""FHIR for editions and returns: the public functions other parts call.

The canonical URLs name the deployment: ``settings.FHIR_CANONICAL_BASE`` when it is set (the
public address of the service), otherwise the address the request came in on, otherwise
``DEFAULT_BASE`` (the development server). Responses are matched to questionnaires by path and
version, not host, so one exported by another deployment can be imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from pydantic import ValidationError

from maturity.core.framework.schema import Edition
from maturity.core.vocab import CareSetting

from ..models import Answer, Return, ReturnStatus
from . import questionnaire as q
from .data import catalogue_of, current_score, edition_of, stored_answers
from .items import not_asked

if TYPE_CHECKING:
    from ..services import AnswerChange

DEFAULT_BASE = "http://localhost:8000"
RESPONSE_STATUSES = ("in-progress", "completed", "amended", "stopped")


class ImportRefused(ValueError):
    """Nothing was imported; ``problems`` lists every reason, each naming its linkId or line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def canonical_base(request: HttpRequest | None = None) -> str:
    configured = getattr(settings, "FHIR_CANONICAL_BASE", "")
    if configured:
        return str(configured).rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_BASE


def edition_to_questionnaire(
    edition: Edition, care_setting: CareSetting | str, *, base_url: str | None = None
) -> dict[str, Any]:
    """The edition's items for one care setting as a FHIR R4 Questionnaire (a JSON dict).

    Raises ``items.NotAnsweredByLevels`` for an edition that is not scored by levels.
    """
    return q.edition_to_questionnaire(edition, care_setting, base_url=base_url or canonical_base())


def return_to_questionnaire_response(
    return_: Return, *, base_url: str | None = None
) -> dict[str, Any]:
    """The return's answers as a FHIR R4 QuestionnaireResponse: ``completed`` once committed,
    ``in-progress`` before; each domain answered with the level its criteria give now."""
    return_ = Return.objects.select_related("organisation", "cycle__edition").get(pk=return_.pk)
    edition = edition_of(return_)
    authored = Answer.objects.filter(return_obj=return_).aggregate(at=Max("updated_at"))["at"]
    return q.answers_to_response(
        edition,
        return_.care_setting,
        answers=stored_answers(return_),
        domain_levels=current_score(return_, edition).domain_levels,
        header=q.ResponseHeader(
            return_id=return_.pk,
            committed=return_.status == ReturnStatus.COMMITTED,
            organisation_ods=return_.organisation.ods_code,
            organisation_name=return_.organisation.name,
            authored=authored or return_.updated_at,
        ),
        base_url=base_url or canonical_base(),
    )


def _validation_problems(error: ValidationError, response: Any) -> list[str]:
    problems = []
    for detail in error.errors():
        location = list(detail.get("loc", ()))
        problems.append(f"{_where(response, location)}: {detail.get('msg', 'invalid')}")
    return problems


def _where(response: Any, location: list[Any]) -> str:
    """The linkId of the innermost item a pydantic error location points into."""
    node, link_id, path = response, None, []
    for step in location:
        path.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("linkId"), str):
            link_id = node["linkId"]
    field = ".".join(path)
    return f"item {link_id!r} ({field})" if link_id else field or "the response"


def questionnaire_response_to_changes(
    response: dict[str, Any], return_: Return, *, base_url: str | None = None
) -> list[AnswerChange]:
    """The answer changes a QuestionnaireResponse makes to a return, checked in full first.

    Raises :class:`ImportRefused` listing every problem (each naming its linkId): not a valid
    FHIR QuestionnaireResponse, not this edition's questionnaire for this care setting, an unknown
    linkId, a value the item does not take, an answer to a question that would not be asked, and,
    for a response exported from this very return, an answer changed here since (the response
    carries each answer's version). A response from elsewhere replaces what is saved. Answers
    equal to the saved ones are left out.
    """
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from ..services import AnswerChange

    if not isinstance(response, dict) or response.get("resourceType") != "QuestionnaireResponse":
        raise ImportRefused(["resourceType: this is not a FHIR QuestionnaireResponse"])
    try:
        QuestionnaireResponse.model_validate(response)
    except ValidationError as error:
        raise ImportRefused(_validation_problems(error, response)) from None
    problems: list[str] = []
    if response.get("status") not in RESPONSE_STATUSES:
        problems.append(
            f"status: {response.get('status')!r} responses are not imported (only "
            f"{', '.join(RESPONSE_STATUSES)})"
        )
    catalogue = catalogue_of(return_)
    reading = q.read_response(
        response, catalogue.edition, return_.care_setting, base_url=base_url or canonical_base()
    )
    problems += reading.problems
    current = stored_answers(return_)
    own = reading.return_id == return_.pk
    changes: list[AnswerChange] = []
    for answer in reading.answers:
        saved = current.get(answer.item_id)
        if (
            own
            and answer.version is not None
            and (saved is None or saved.version != answer.version)
        ):
            now = "no answer" if saved is None else f"version {saved.version} ({saved.value!r})"
            problems.append(
                f"item {answer.item_id!r}: changed since the response was exported (it was at "
                f"version {answer.version}, it is now {now}); export it again"
            )
            continue
        if saved is not None and saved.value == answer.value:
            continue
        changes.append(
            AnswerChange(
                item_id=answer.item_id,
                value=answer.value,
                expected_version=None if saved is None else saved.version,
            )
        )
    reasons = not_asked({c.item_id: c.value for c in changes}, catalogue, current)
    problems += [f"item {item_id!r}: {reason}" for item_id, reason in reasons.items()]
    if problems:
        raise ImportRefused(problems)
    return changes
