"""Framework editions as data: the schema, the loader, checks, diffs and the scoring adapter.

Pure Python (pydantic, PyYAML): no Django. See :mod:`.schema` for the format.
"""

from .diff import DomainDiff, EditionDiff, LevelDiff, QuestionDiff, TextChange, diff_editions
from .errors import EditionError, Issue
from .loader import (
    load_edition,
    load_editions,
    source_files,
    source_sha256,
    validate_folder,
)
from .schema import (
    Capability,
    ContextualQuestion,
    Criterion,
    Domain,
    Edition,
    EditionStatus,
    EnableWhen,
    Guidance,
    Indicator,
    Level,
    LookupItem,
    LookupTableDef,
    Option,
    PillarDef,
    QualityStatement,
    QuestionType,
    ScoringModel,
    Stage,
)
from .scoring import EditionScore, domain_specs, score_edition_answers

__all__ = [
    "Capability",
    "ContextualQuestion",
    "Criterion",
    "Domain",
    "DomainDiff",
    "Edition",
    "EditionDiff",
    "EditionError",
    "EditionScore",
    "EditionStatus",
    "EnableWhen",
    "Guidance",
    "Indicator",
    "Issue",
    "Level",
    "LevelDiff",
    "LookupItem",
    "LookupTableDef",
    "Option",
    "PillarDef",
    "QualityStatement",
    "QuestionDiff",
    "QuestionType",
    "ScoringModel",
    "Stage",
    "TextChange",
    "diff_editions",
    "domain_specs",
    "load_edition",
    "load_editions",
    "score_edition_answers",
    "source_files",
    "source_sha256",
    "validate_folder",
]
