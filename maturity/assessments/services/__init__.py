"""Writes for the assessment cycle. Every write is a service here: atomic, keyword-only, taking
the acting user ``by``, checking permission and auditing in the same transaction.

The package is split by subject; everything public is re-exported here, so callers import from
``maturity.assessments.services``.
"""

from .answers import (
    AnswerChange,
    CopyResult,
    SaveResult,
    answer_save,
    answers_save,
    copied_answers_confirm,
    previous_answers_copy,
    previous_return,
)
from .collaboration import comment_add, comment_resolve, domain_assign, right_of_reply_add
from .cycles import (
    ScopeChange,
    cycle_close,
    cycle_open,
    cycle_reopen,
    cycle_set_scope,
    mark_late_returns,
    provisional_release,
    scope_pairs,
)
from .demonstration import (
    DEMO_COLLECTION_DATE,
    DEMO_YEAR,
    OPEN_DEMO_DATES,
    OPEN_DEMO_EDITION,
    OPEN_DEMO_YEAR,
    DemoMismatch,
    DemonstrationError,
    DemoSummary,
    generate_demonstration_returns,
    open_demonstration_cycle,
)
from .evidence import (
    ACCEPTED_TYPES,
    MAX_EVIDENCE_BYTES,
    check_upload,
    eicar_test_scanner,
    evidence_add_file,
    evidence_add_link,
    evidence_remove,
    no_scan,
)
from .reminders import REMINDER_DAYS, ReminderRun, close_reminders_send
from .returns import return_commit, return_unlock
from .scoring import compute_score, rescore_check, score_return_and_store

__all__ = [
    "ACCEPTED_TYPES",
    "DEMO_COLLECTION_DATE",
    "DEMO_YEAR",
    "MAX_EVIDENCE_BYTES",
    "OPEN_DEMO_DATES",
    "OPEN_DEMO_EDITION",
    "OPEN_DEMO_YEAR",
    "REMINDER_DAYS",
    "AnswerChange",
    "CopyResult",
    "DemoMismatch",
    "DemoSummary",
    "DemonstrationError",
    "ReminderRun",
    "SaveResult",
    "ScopeChange",
    "answer_save",
    "answers_save",
    "check_upload",
    "close_reminders_send",
    "comment_add",
    "comment_resolve",
    "compute_score",
    "copied_answers_confirm",
    "cycle_close",
    "cycle_open",
    "cycle_reopen",
    "cycle_set_scope",
    "domain_assign",
    "eicar_test_scanner",
    "evidence_add_file",
    "evidence_add_link",
    "evidence_remove",
    "generate_demonstration_returns",
    "mark_late_returns",
    "no_scan",
    "open_demonstration_cycle",
    "previous_answers_copy",
    "previous_return",
    "provisional_release",
    "rescore_check",
    "return_commit",
    "return_unlock",
    "right_of_reply_add",
    "score_return_and_store",
    "scope_pairs",
]
