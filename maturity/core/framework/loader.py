"""Read an edition folder (edition.yaml + domains/*.yaml) into a resolved :class:`Edition`.

An edition may be declared as changes to another: ``base: <edition id>`` (a sibling folder)
inherits the base's framework, scoring model, pillars, contextual questions, model sections and
domains; ``exclude_domains`` / ``exclude_questions`` drop some, and the edition's own domain files
and questions add or replace by id. Metadata that belongs to one edition (title, year, status,
previous edition, review dates, change notes) is never inherited.

Every problem is collected, not just the first, and raised as one :class:`EditionError` whose
issues name the file (relative to the editions folder) and the path inside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import check_comparability, check_edition
from .errors import EditionError, Issue, format_loc, join_path
from .schema import (
    Domain,
    Edition,
    EditionFile,
)

EDITION_FILE = "edition.yaml"
DOMAINS_DIR = "domains"

# Inherited from the base edition unless the edition.yaml sets them.
INHERITED_FIELDS = (
    "framework",
    "framework_name",
    "scoring_model",
    "illustrative",
    "care_settings",
    "capabilities",
    "stages",
    "categories",
    "indicators",
    "key_questions",
    "statements",
    "lookup_tables",
    "scales",
    "themes",
    "items",
)
# Merged with the base's by id: the edition's own entries replace or add.
MERGED_BY_ID = ("pillars", "contextual_questions")
# Edition-specific: read from the edition.yaml only.
OWN_FIELDS = (
    "title",
    "year",
    "status",
    "description",
    "previous_edition",
    "authored_by",
    "checked_by",
    "date_reviewed",
    "next_review",
    "change_notes",
)


def load_edition(path: Path) -> Edition:
    """The resolved edition in the folder ``path``; raises :class:`EditionError`.

    A ``base`` edition is looked for in a sibling folder named by its id.
    """
    path = Path(path)
    return _Loader(path.parent).load(path.name)


def load_editions(editions_dir: Path) -> dict[str, Edition]:
    """Every edition under ``editions_dir`` (each sub-folder with an edition.yaml), by id.

    Besides each edition's own checks, each edition's ``comparable_with`` references are checked
    against its previous edition when that is loaded too. Raises one :class:`EditionError`
    listing the problems of every edition.
    """
    loader = _Loader(Path(editions_dir))
    issues: list[Issue] = []
    editions: dict[str, Edition] = {}
    for folder in edition_folders(editions_dir):
        try:
            editions[folder.name] = loader.load(folder.name)
        except EditionError as error:
            issues.extend(error.issues)
    for edition in editions.values():
        previous = editions.get(edition.previous_edition or "")
        if previous is not None:
            issues.extend(check_comparability(previous, edition))
    if issues:
        raise EditionError(issues)
    return dict(sorted(editions.items()))


def edition_folders(editions_dir: Path) -> list[Path]:
    return sorted(p for p in Path(editions_dir).iterdir() if (p / EDITION_FILE).is_file())


def validate_folder(path: Path) -> list[Issue]:
    """Every problem in an edition folder, or in every edition of an editions folder."""
    path = Path(path)
    try:
        if (path / EDITION_FILE).is_file():
            edition = load_edition(path)
            previous_folder = path.parent / (edition.previous_edition or "")
            if edition.previous_edition and (previous_folder / EDITION_FILE).is_file():
                return check_comparability(load_edition(previous_folder), edition)
            return []
        if not path.is_dir():
            return [Issue(str(path), "", "no such folder")]
        if not edition_folders(path):
            return [Issue(str(path), "", f"no {EDITION_FILE} here or in any sub-folder")]
        load_editions(path)
    except EditionError as error:
        return error.issues
    return []


def source_files(path: Path) -> list[Path]:
    """The files an edition is built from, its base editions' included, in a stable order."""
    path = Path(path)
    files: list[Path] = []
    seen: set[str] = set()
    while path.name not in seen and (path / EDITION_FILE).is_file():
        seen.add(path.name)
        files.append(path / EDITION_FILE)
        domains = path / DOMAINS_DIR
        if domains.is_dir():
            files.extend(sorted(p for p in domains.iterdir() if p.suffix in {".yaml", ".yml"}))
        try:
            text = (path / EDITION_FILE).read_text(encoding="utf-8")
            base = (yaml.load(text, Loader=_SafeLoader) or {}).get("base")  # noqa: S506
        except (yaml.YAMLError, AttributeError):
            break
        if not base:
            break
        path = path.parent / str(base)
    return files


def source_sha256(path: Path) -> str:
    """A digest of the edition's source files (names and bytes), its base editions' included."""
    path = Path(path)
    digest = hashlib.sha256()
    root = path.parent
    for file in source_files(path):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# --- YAML ---------------------------------------------------------------------------------------


# libyaml's parser when it is installed (several times faster), the pure-Python one otherwise.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses a key given twice in one mapping (the second would silently win)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} is given twice",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_MISSING = object()


def read_yaml(file: Path, name: str, issues: list[Issue]) -> Any:
    """The file's YAML, or ``_MISSING`` after recording a syntax error with its line and column."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        issues.append(Issue(name, "", f"cannot be read: {error}"))
        return _MISSING
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        issues.append(Issue(name, where, f"invalid YAML: {problem}"))
        return _MISSING


def validation_issues(error: ValidationError, file: str, prefix: str = "") -> list[Issue]:
    return [
        Issue(file, join_path(prefix, format_loc(e["loc"])), _message(e)) for e in error.errors()
    ]


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling and indentation)"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"{error['input']!r} is not a valid id here (expected the form {pattern})"
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class _Loader:
    root: Path
    _done: dict[str, Edition | EditionError] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)

    def name(self, file: Path) -> str:
        try:
            return file.relative_to(self.root).as_posix()
        except ValueError:
            return file.as_posix()

    def load(self, edition_id: str) -> Edition:
        result = self._done.get(edition_id)
        if result is None:
            self._stack.append(edition_id)
            try:
                result = self._load(self.root / edition_id)
            except EditionError as error:
                result = error
            finally:
                self._stack.pop()
            self._done[edition_id] = result
        if isinstance(result, EditionError):
            raise result
        return result

    def _load(self, folder: Path) -> Edition:
        issues: list[Issue] = []
        edition_name = self.name(folder / EDITION_FILE)
        if not (folder / EDITION_FILE).is_file():
            raise EditionError([Issue(edition_name, "", "file not found")])
        raw = read_yaml(folder / EDITION_FILE, edition_name, issues)
        if raw is _MISSING:
            raise EditionError(issues)
        if not isinstance(raw, dict):
            raise EditionError([Issue(edition_name, "", "expected a mapping of edition fields")])
        try:
            declared = EditionFile.model_validate(raw)
        except ValidationError as error:
            issues.extend(validation_issues(error, edition_name))
            declared = None
        own_domains, sources = self._read_domains(folder, issues)
        # Cross-references are only checked once every file reads cleanly: a domain that failed
        # to parse would otherwise show up again as a missing reference.
        if declared is None or issues:
            raise EditionError(issues)
        if declared.id != folder.name:
            issues.append(Issue(edition_name, "id", f"must be the folder's name, {folder.name!r}"))

        base = None
        if declared.base is not None:
            base = self._load_base(declared, edition_name, issues)
            if base is None:
                raise EditionError(issues)

        data = self._merge(declared, base, own_domains, sources, edition_name, issues)
        if issues:
            raise EditionError(issues)
        try:
            edition = Edition.model_validate(data)
        except ValidationError as error:
            issues.extend(validation_issues(error, edition_name))
            raise EditionError(issues) from None
        edition._sources.update(sources)
        edition._sources["edition"] = (edition_name, "")
        for question in edition.contextual_questions:
            if base is not None:
                edition._sources.setdefault(question.id, base.source_of(question.id))
        for index, question in enumerate(declared.contextual_questions or []):
            edition._sources[question.id] = (edition_name, f"contextual_questions[{index}]")
        issues.extend(check_edition(edition))
        if issues:
            raise EditionError(issues)
        return edition

    def _read_domains(
        self, folder: Path, issues: list[Issue]
    ) -> tuple[list[Domain], dict[str, tuple[str, str]]]:
        domains: list[Domain] = []
        sources: dict[str, tuple[str, str]] = {}
        directory = folder / DOMAINS_DIR
        if not directory.is_dir():
            return domains, sources
        files = sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"})
        for file in files:
            name = self.name(file)
            data = read_yaml(file, name, issues)
            if data is _MISSING:
                continue
            if data is None:
                issues.append(Issue(name, "", "the file is empty; expected a list of domains"))
                continue
            if not isinstance(data, list):
                issues.append(Issue(name, "", "expected a list of domains (each starting '- id:')"))
                continue
            for index, item in enumerate(data):
                try:
                    domain = Domain.model_validate(item)
                except ValidationError as error:
                    issues.extend(validation_issues(error, name, f"[{index}]"))
                    continue
                if domain.id in sources:
                    other_file, other_path = sources[domain.id]
                    issues.append(
                        Issue(
                            name,
                            f"[{index}].id",
                            f"{domain.id} is declared twice (also {other_file} {other_path})",
                        )
                    )
                    continue
                if domain.pillar != file.stem:
                    issues.append(
                        Issue(
                            name,
                            f"[{index}].pillar",
                            f"a {domain.pillar} domain must be in domains/{domain.pillar}.yaml",
                        )
                    )
                sources[domain.id] = (name, f"[{index}]")
                domains.append(domain)
        return domains, sources

    def _load_base(
        self, declared: EditionFile, edition_name: str, issues: list[Issue]
    ) -> Edition | None:
        base_id = declared.base
        assert base_id is not None
        if base_id == declared.id or base_id in self._stack:
            chain = " → ".join([*self._stack, base_id])
            issues.append(
                Issue(edition_name, "base", f"editions are based on each other in a loop: {chain}")
            )
            return None
        if not (self.root / base_id / EDITION_FILE).is_file():
            issues.append(
                Issue(edition_name, "base", f"no edition {base_id!r} next to this one to build on")
            )
            return None
        try:
            return self.load(base_id)
        except EditionError as error:
            issues.extend(error.issues)
            issues.append(Issue(edition_name, "base", f"the base edition {base_id} has errors"))
            return None

    def _merge(
        self,
        declared: EditionFile,
        base: Edition | None,
        own_domains: list[Domain],
        sources: dict[str, tuple[str, str]],
        edition_name: str,
        issues: list[Issue],
    ) -> dict[str, Any]:
        given = declared.model_fields_set
        data: dict[str, Any] = {"id": declared.id, "base": declared.base}
        for name in OWN_FIELDS:
            if name in given:
                data[name] = getattr(declared, name)
        for name in INHERITED_FIELDS:
            if name in given:
                data[name] = getattr(declared, name)
            elif base is not None:
                data[name] = getattr(base, name)
        for name in MERGED_BY_ID:
            own = getattr(declared, name) if name in given else None
            data[name] = _merge_by_id(getattr(base, name) if base else [], own or [])

        if base is None:
            for path, ids in (
                ("exclude_domains", declared.exclude_domains),
                ("exclude_questions", declared.exclude_questions),
            ):
                if ids:
                    issues.append(
                        Issue(edition_name, path, "only an edition with a base can exclude")
                    )
            data["domains"] = _in_pillar_order(own_domains, data["pillars"])
            return data

        excluded = self._excluded(declared, base, own_domains, edition_name, issues)
        data["contextual_questions"] = [
            q for q in data["contextual_questions"] if q.id not in set(declared.exclude_questions)
        ]
        own_by_id = {domain.id: domain for domain in own_domains}
        inherited = [
            _inherit(domain, base.id, declared.previous_edition)
            for domain in base.domains
            if domain.id not in excluded and domain.id not in own_by_id
        ]
        for domain in base.domains:
            if domain.id in excluded or domain.id in own_by_id:
                continue
            sources.setdefault(domain.id, base.source_of(domain.id))
        data["domains"] = _in_pillar_order(
            _in_base_order(base.domains, inherited, own_domains), data["pillars"]
        )
        scope = data.get("care_settings")
        if scope is not None:
            data["domains"] = self._scoped(
                data["domains"], own_by_id, scope, "domain", edition_name, issues
            )
            own_questions = {q.id for q in (declared.contextual_questions or [])}
            data["contextual_questions"] = self._scoped(
                data["contextual_questions"], own_questions, scope, "question", edition_name, issues
            )
        return data

    def _excluded(
        self,
        declared: EditionFile,
        base: Edition,
        own_domains: list[Domain],
        edition_name: str,
        issues: list[Issue],
    ) -> set[str]:
        own_ids = {domain.id for domain in own_domains}
        for index, domain_id in enumerate(declared.exclude_domains):
            if not base.has_domain(domain_id):
                issues.append(
                    Issue(
                        edition_name,
                        f"exclude_domains[{index}]",
                        f"{base.id} has no domain {domain_id}",
                    )
                )
            elif domain_id in own_ids:
                issues.append(
                    Issue(
                        edition_name,
                        f"exclude_domains[{index}]",
                        f"{domain_id} is also declared in this edition's domains; a domain declared "
                        "here replaces the base's, so do not exclude it",
                    )
                )
        question_ids = {q.id for q in base.contextual_questions}
        for index, question_id in enumerate(declared.exclude_questions):
            if question_id not in question_ids:
                issues.append(
                    Issue(
                        edition_name,
                        f"exclude_questions[{index}]",
                        f"{base.id} has no contextual question {question_id}",
                    )
                )
        return set(declared.exclude_domains)

    @staticmethod
    def _scoped(
        things: list[Any],
        own_ids: Iterable[str],
        scope: list[Any],
        kind: str,
        edition_name: str,
        issues: list[Issue],
    ) -> list[Any]:
        # Inherited domains and questions are narrowed to the edition's care settings; one left
        # with none must be excluded explicitly so nothing disappears without being said.
        own = set(own_ids)
        result = []
        for thing in things:
            kept = [s for s in thing.care_settings if s in scope]
            if thing.id in own:
                result.append(thing)
            elif kept:
                result.append(thing.model_copy(update={"care_settings": kept}))
            else:
                result.append(thing)  # kept as it was, so the one problem is reported once
                key = "exclude_domains" if kind == "domain" else "exclude_questions"
                issues.append(
                    Issue(
                        edition_name,
                        "care_settings",
                        f"the inherited {kind} {thing.id} applies to none of these care settings; "
                        f"add it to {key}",
                    )
                )
        return result


def _merge_by_id(base: list[Any], own: list[Any]) -> list[Any]:
    own_by_id = {item.id: item for item in own}
    merged = [own_by_id.pop(item.id, item) for item in base]
    return merged + [item for item in own if item.id in own_by_id]


def _inherit(domain: Domain, base_id: str, previous_edition: str | None) -> Domain:
    # An inherited domain is the base's domain unchanged. Built on its previous edition, it is
    # comparable with itself; with no previous edition there is nothing to compare with.
    if previous_edition == base_id:
        return domain.model_copy(update={"comparable_with": domain.id, "change_note": None})
    if previous_edition is None:
        return domain.model_copy(update={"comparable_with": None, "change_note": None})
    return domain


def _in_pillar_order(domains: list[Domain], pillars: list[Any]) -> list[Domain]:
    order = {pillar.id: index for index, pillar in enumerate(pillars)}
    return sorted(domains, key=lambda domain: order.get(domain.pillar, len(order)))


def _in_base_order(base: list[Domain], inherited: list[Domain], own: list[Domain]) -> list[Domain]:
    """Replacements keep the base's position; new domains follow their pillar's last domain."""
    by_id = {d.id: d for d in inherited} | {d.id: d for d in own}
    ordered = [by_id.pop(d.id) for d in base if d.id in by_id]
    for domain in own:
        if domain.id not in by_id:
            continue
        by_id.pop(domain.id)
        last = max((i for i, d in enumerate(ordered) if d.pillar == domain.pillar), default=None)
        ordered.insert(len(ordered) if last is None else last + 1, domain)
    return ordered
