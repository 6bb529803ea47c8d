"""Calibration cases: YAML files under ``maturity/reviews/calibration/``, checked and loaded into
:class:`~maturity.reviews.models.CalibrationCase` by :func:`calibration_cases_sync`.

A file names the framework edition its cases are written against; every case's domain must exist
in that edition and apply to the case's care setting, and its reference level must be 1 to 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from maturity.audit.services import record
from maturity.core.vocab import CareSetting

from .models import CalibrationCase

CASES_DIR = Path(__file__).resolve().parent / "calibration"


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    title: str = Field(min_length=5, max_length=200)
    care_setting: CareSetting
    domain: str
    reference_level: int = Field(ge=1, le=5)
    scenario: str = Field(min_length=80)
    rationale: str = Field(min_length=40)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    edition: str
    cases: list[_Case] = Field(min_length=1)


class CalibrationFileError(ValueError):
    """A calibration file is not valid: every problem is listed, with the file."""


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    retired: int
    files: list[str]


def read_cases(directory: Path = CASES_DIR) -> list[tuple[str, _File]]:
    """Every calibration file, parsed and checked against its edition."""
    from maturity.frameworks.selectors import get_edition

    found = []
    problems = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            parsed = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        edition = get_edition(parsed.edition)
        domains = {d.id: d for d in edition.domains}
        for case in parsed.cases:
            if case.id in seen:
                problems.append(f"{path.name}: case {case.id} is also in {seen[case.id]}")
            seen[case.id] = path.name
            domain = domains.get(case.domain)
            if domain is None:
                problems.append(f"{path.name}: case {case.id}: no domain {case.domain}")
            elif not domain.applies_to(case.care_setting):
                problems.append(
                    f"{path.name}: case {case.id}: {case.domain} does not apply to "
                    f"{case.care_setting.value}"
                )
        found.append((path.name, parsed))
    if problems:
        raise CalibrationFileError("\n".join(problems))
    return found


@transaction.atomic
def calibration_cases_sync(directory: Path = CASES_DIR) -> SyncResult:
    """Load the calibration files: new cases are added, changed ones updated, cases no longer in
    any file retired (kept, inactive, so past scores still name them). Idempotent."""
    from maturity.frameworks.selectors import get_edition

    created = updated = 0
    files = read_cases(directory)
    wanted = set()
    for name, parsed in files:
        edition = get_edition(parsed.edition)
        pillar_of = {d.id: str(d.pillar) for d in edition.domains}
        for case in parsed.cases:
            wanted.add(case.id)
            values = {
                "title": case.title,
                "care_setting": case.care_setting.value,
                "domain_id": case.domain,
                "pillar_id": pillar_of[case.domain],
                "scenario": case.scenario.strip(),
                "reference_level": case.reference_level,
                "rationale": case.rationale.strip(),
                "active": True,
                "source_file": f"{name} (version {parsed.version})",
            }
            current = CalibrationCase.objects.filter(case_id=case.id).first()
            if current is None:
                CalibrationCase.objects.create(case_id=case.id, **values)
                created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                updated += 1
    retired = CalibrationCase.objects.filter(active=True).exclude(case_id__in=wanted)
    retired_count = retired.update(active=False)
    if created or updated or retired_count:
        record(
            actor=None,
            action="calibration.cases_synced",
            target=("reviews.calibrationcases", "all"),
            after={"created": created, "updated": updated, "retired": retired_count},
        )
    return SyncResult(created, updated, retired_count, [name for name, _ in files])
