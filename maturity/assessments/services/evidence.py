"""Evidence for a domain: uploaded files (type sniffed from the content, size-capped, scanned)
and links. Removal is soft: the row and the file stay, marked removed, for the audit trail.

The virus scanner is ``settings.EVIDENCE_SCANNER``, the dotted path of a callable taking the
uploaded file (a readable, seekable binary file) and returning a :class:`ScanStatus` value
("clean", "infected", "pending", "not_scanned"), or a ``(status, detail)`` pair. The default,
:func:`no_scan`, scans nothing and says so.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.module_loading import import_string

from ..exceptions import InvalidUpload
from ..models import Evidence, EvidenceKind, Return, ScanStatus
from ..selectors import catalogue_for
from ..statemachine import ReturnEvent, next_return_state
from ._common import LockedReturn, audit_record, deny_editing, lock_return, now

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_URL_LENGTH = 2000
MAX_NOTE_LENGTH = 2000
DEFAULT_SCANNER = "maturity.assessments.services.evidence.no_scan"

#: Sniffed content type → (what people call it, the file name extensions that go with it).
ACCEPTED_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "application/pdf": ("a PDF", frozenset({"pdf"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "a Word document",
        frozenset({"docx"}),
    ),
    "application/msword": ("a Word 97-2003 document", frozenset({"doc"})),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "an Excel workbook",
        frozenset({"xlsx"}),
    ),
    "application/vnd.ms-excel": ("an Excel 97-2003 workbook", frozenset({"xls"})),
    "image/png": ("a PNG image", frozenset({"png"})),
    "image/jpeg": ("a JPEG image", frozenset({"jpg", "jpeg"})),
}
ACCEPTED_WORDS = "PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PNG or JPEG"
_KNOWN_NAMES = {
    "application/x-msdownload": "a Windows program (.exe)",
    "application/zip": "a ZIP archive",
    "text/html": "a web page",
}

# The standard antivirus test string (not a virus): https://www.eicar.org/download-anti-malware-testfile/
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def no_scan(file: IO[bytes]) -> str:
    """The default scanner: nothing is scanned, and the evidence says so."""
    del file
    return ScanStatus.NOT_SCANNED


def eicar_test_scanner(file: IO[bytes]) -> tuple[str, str]:
    """A scanner for tests and demonstrations: flags files containing the EICAR test string."""
    tail = b""
    for chunk in _chunks(file):
        if EICAR in tail + chunk:
            return ScanStatus.INFECTED, "EICAR test signature"
        tail = chunk[-len(EICAR) :]
    return ScanStatus.CLEAN, ""


def _chunks(file: IO[bytes], size: int = 1024 * 1024) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(size):
        yield chunk
    file.seek(0)


def _scan(file: IO[bytes]) -> tuple[str, str]:
    scanner = import_string(getattr(settings, "EVIDENCE_SCANNER", None) or DEFAULT_SCANNER)
    outcome = scanner(file)
    file.seek(0)
    status, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
    if status not in ScanStatus.values:
        raise RuntimeError(f"The evidence scanner returned {status!r}, not a scan status.")
    return str(status), str(detail)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _describe(kind: Any) -> str:
    if kind is None:
        return "not a type that could be recognised"
    return _KNOWN_NAMES.get(kind.mime) or f"{kind.mime} (.{kind.extension})"


def check_upload(uploaded_file: Any) -> tuple[str, str, str, int]:
    """(original name, extension, sniffed content type, size), or :class:`InvalidUpload`."""
    name = (getattr(uploaded_file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise InvalidUpload("The file has no name.")
    if len(name) > 255:
        raise InvalidUpload("The file name is longer than 255 characters: shorten it.")
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    if size == 0:
        raise InvalidUpload(f"{name} is empty.")
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidUpload(
            f"{name} is {_megabytes(size)}: evidence files can be at most "
            f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."
        )
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    accepted = ACCEPTED_TYPES.get(kind.mime) if kind is not None else None
    if accepted is None:
        raise InvalidUpload(
            f"{name}: its content is {_describe(kind)}. Evidence must be a {ACCEPTED_WORDS} file."
        )
    words, extensions = accepted
    if extension not in extensions:
        named = f"named .{extension}" if extension else "named without an extension"
        raise InvalidUpload(
            f"{name} is {named} but its content is {words}: rename it "
            f"(.{sorted(extensions)[0]}) or upload the file you meant."
        )
    return name, extension, kind.mime, size


def _editable(by: Any, return_: Return) -> LockedReturn:
    locked = lock_return(return_.pk, by)
    if not locked.has_role:
        raise deny_editing(locked)
    next_return_state(locked.state, ReturnEvent.ANSWER, cycle=locked.cycle_state)
    return locked


def _check_domain(locked: LockedReturn, domain_id: str) -> None:
    from maturity.frameworks.selectors import get_edition

    catalogue = catalogue_for(get_edition(locked.edition_id), locked.care_setting)
    if not catalogue.has_domain(domain_id):
        raise InvalidUpload(f"{domain_id!r} is not a domain of this return.")


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidUpload(f"The note can be at most {MAX_NOTE_LENGTH:,} characters.")
    return note


@transaction.atomic
def evidence_add_file(
    *, by: Any, return_: Return, domain_id: str, uploaded_file: Any, note: str = ""
) -> Evidence:
    """Attach a file to a domain. Refused with :class:`InvalidUpload` (saying what is wrong)
    when it is empty, over 10 MB, not a PDF, Word, Excel, PNG or JPEG file by its content, named
    as another type than its content, or flagged by the virus scanner."""
    locked = _editable(by, return_)
    _check_domain(locked, domain_id)
    note = _note(note)
    name, extension, content_type, size = check_upload(uploaded_file)
    status, detail = _scan(uploaded_file)
    if status == ScanStatus.INFECTED:
        raise InvalidUpload(
            f"{name} failed the virus scan{f' ({detail})' if detail else ''}: it was not stored."
        )
    digest = hashlib.sha256()
    for chunk in _chunks(uploaded_file):
        digest.update(chunk)
    evidence = Evidence(
        return_obj_id=locked.pk,
        domain_id=domain_id,
        kind=EvidenceKind.FILE,
        note=note,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        scan_status=status,
        uploaded_by=by,
    )
    uploaded_file.seek(0)
    evidence.file.save(f"{uuid.uuid4().hex}.{extension}", uploaded_file, save=False)
    stored_name = evidence.file.name
    try:
        evidence.save()
        audit_record(
            actor=by,
            action="evidence.added",
            target=return_,
            organisation=locked.organisation_id,
            after={
                "evidence": evidence.pk,
                "domain_id": domain_id,
                "file": name,
                "content_type": content_type,
                "size": size,
                "sha256": evidence.sha256,
                "scan_status": status,
            },
        )
    except BaseException:
        evidence.file.storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_add_link(
    *, by: Any, return_: Return, domain_id: str, url: str, note: str = ""
) -> Evidence:
    """Attach a link (http or https) to a domain."""
    locked = _editable(by, return_)
    _check_domain(locked, domain_id)
    note = _note(note)
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidUpload(f"The link can be at most {MAX_URL_LENGTH:,} characters.")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidUpload(
            "Enter the full web address of the evidence, starting with https://"
        ) from None
    evidence = Evidence.objects.create(
        return_obj_id=locked.pk,
        domain_id=domain_id,
        kind=EvidenceKind.LINK,
        url=url,
        note=note,
        uploaded_by=by,
    )
    audit_record(
        actor=by,
        action="evidence.added",
        target=return_,
        organisation=locked.organisation_id,
        after={"evidence": evidence.pk, "domain_id": domain_id, "url": url},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, by: Any, evidence: Evidence) -> None:
    """Take evidence off a domain. The row and file are kept, marked removed."""
    locked = _editable(by, evidence.return_obj)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if current.return_obj_id != locked.pk:  # pragma: no cover - guarded by the FK
        raise PermissionDenied("That evidence belongs to another return.")
    if current.removed_at is not None:
        return
    at = now()
    Evidence.objects.filter(pk=current.pk).update(removed_at=at, removed_by=by)
    evidence.removed_at, evidence.removed_by = at, by
    audit_record(
        actor=by,
        action="evidence.removed",
        target=evidence.return_obj,
        organisation=locked.organisation_id,
        before={
            "evidence": current.pk,
            "domain_id": current.domain_id,
            "label": current.label,
        },
        after=None,
    )
