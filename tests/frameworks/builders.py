"""Small, valid edition folders written to a temporary directory, to be broken on purpose."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml

PILLAR_NAMES = {
    "well_led": "Well led",
    "smart_foundations": "Ensure smart foundations",
    "safe_practice": "Safe practice",
}


def domain(
    domain_id: str,
    pillar: str,
    care_settings: list[str],
    *,
    comparable_with: str | None = None,
    change_note: str | None = None,
    criteria_per_level: int = 2,
    text_prefix: str = "",
) -> dict[str, Any]:
    levels = []
    for number in range(1, 6):
        criteria = []
        for letter in string.ascii_lowercase[:criteria_per_level]:
            criterion: dict[str, Any] = {
                "id": f"{domain_id}.l{number}.{letter}",
                "text": f"{text_prefix}Criterion {letter} of level {number} of {domain_id} is met.",
            }
            if number >= 4:
                criterion["evidence"] = f"Evidence for {domain_id} level {number}."
            criteria.append(criterion)
        levels.append({"level": number, "title": f"Level {number} title", "criteria": criteria})
    return {
        "id": domain_id,
        "pillar": pillar,
        "name": f"Domain {domain_id}",
        "summary": f"What {domain_id} covers.",
        "care_settings": care_settings,
        "comparable_with": comparable_with,
        "change_note": change_note,
        "guidance": {"good_enough": "Check this.", "do_better": "Do that."},
        "levels": levels,
    }


def edition_meta(edition_id: str, year: int, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": edition_id,
        "framework": "test",
        "framework_name": "Test framework",
        "title": f"Test edition {edition_id}",
        "year": year,
        "status": "published",
        "previous_edition": None,
        "scoring_model": "cumulative_levels",
        "authored_by": "Tests",
        "checked_by": "Tests",
        "date_reviewed": f"{year}-01-01",
        "next_review": f"{year + 1}-01-01",
        "pillars": [
            {"id": pillar, "name": name, "description": f"About {name}."}
            for pillar, name in PILLAR_NAMES.items()
        ],
        "contextual_questions": [
            {
                "id": "ctx.epr_in_place",
                "text": "Is an EPR in use?",
                "type": "yes_no",
                "care_settings": ["acute", "community"],
                "mandatory": True,
                "evidences": ["sf.epr"],
            },
            {
                "id": "ctx.epr_supplier",
                "text": "Who supplies it?",
                "type": "single_choice",
                "options": [
                    {"value": "epic", "label": "Epic"},
                    {"value": "other", "label": "Other"},
                ],
                "care_settings": ["acute", "community"],
                "enable_when": {
                    "question": "ctx.epr_in_place",
                    "operator": "equals",
                    "answer": True,
                },
                "evidences": ["sf.epr"],
            },
        ],
    }
    meta.update(extra)
    return meta


def base_domains() -> dict[str, list[dict[str, Any]]]:
    return {
        "well_led": [domain("wl.strategy", "well_led", ["acute", "community", "icb"])],
        "smart_foundations": [
            domain("sf.epr", "smart_foundations", ["acute", "community"]),
            domain("sf.cyber", "smart_foundations", ["acute", "community", "icb"]),
        ],
        "safe_practice": [domain("sp.safety", "safe_practice", ["acute", "icb"])],
    }


def write_edition(
    root: Path,
    meta: dict[str, Any],
    domains: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    folder = root / meta["id"]
    (folder / "domains").mkdir(parents=True, exist_ok=True)
    (folder / "edition.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    for pillar, items in (domains or {}).items():
        (folder / "domains" / f"{pillar}.yaml").write_text(yaml.safe_dump(items, sort_keys=False))
    return folder


def write_valid(root: Path, edition_id: str = "test-2025", year: int = 2025, **extra: Any) -> Path:
    return write_edition(root, edition_meta(edition_id, year, **extra), base_domains())
