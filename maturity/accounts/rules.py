"""Which kind of organisation each role is held in (DESIGN §2). Plain data: no Django imports.

Kinds and roles are the string values of OrganisationKind and Role.
"""

from __future__ import annotations

ENGLAND_ODS = "E92000001"

# Organisations that complete a return, so have contributors, submitters and peer reviewers.
RETURNING_KINDS = frozenset({"trust", "icb", "gp_practice", "asc_provider"})

ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    "contributor": RETURNING_KINDS,
    "submitter": RETURNING_KINDS,
    "peer_reviewer": RETURNING_KINDS,
    "system_lead": frozenset({"icb"}),
    "regional_validator": frozenset({"region"}),
    "national_analyst": frozenset({"nation"}),
    "panel_member": frozenset({"nation"}),
}

KIND_WORDS = {
    "trust": "an NHS trust",
    "icb": "an integrated care board",
    "gp_practice": "a GP practice",
    "asc_provider": "an adult social care provider",
    "region": "an NHS England region",
    "nation": "England",
}


def role_fits(role: str, *, kind: str, ods_code: str) -> bool:
    """Whether ``role`` may be held in an organisation of this kind (national roles: England only)."""
    kinds = ROLE_ORGANISATION_KINDS.get(role)
    if kinds is None or kind not in kinds:
        return False
    return kind != "nation" or ods_code == ENGLAND_ODS


def where_role_is_held(role: str) -> str:
    """'an NHS trust, an integrated care board, …' for error messages."""
    if ROLE_ORGANISATION_KINDS.get(role) == frozenset({"nation"}):
        return f"England ({ENGLAND_ODS})"
    words = [
        KIND_WORDS[k] for k in sorted(ROLE_ORGANISATION_KINDS.get(role, ())) if k in KIND_WORDS
    ]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]
