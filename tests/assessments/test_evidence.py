"""Evidence: files sniffed by content, capped at 10 MB, scanned; links; soft removal."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from maturity.assessments import services
from maturity.assessments.exceptions import InvalidUpload, ReturnLocked
from maturity.assessments.models import Evidence
from maturity.assessments.services.evidence import EICAR
from maturity.audit.models import AuditRecord

from .factories import answer_everything, return_of

pytestmark = pytest.mark.django_db

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def pdf(extra: bytes = b"") -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + extra + b"%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


SAMPLES = {
    "strategy.pdf": (pdf(), "application/pdf"),
    "board paper.docx": (
        docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "old paper.doc": (OLE + b"\xec\xa5\xc1\x00" + b"\0" * 600, "application/msword"),
    "benefits.xlsx": (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "old sheet.XLS": (
        OLE + b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\0" * 600,
        "application/vnd.ms-excel",
    ),
    "diagram.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "image/png"),
    "photo.jpeg": (b"\xff\xd8\xff\xe0" + b"\0" * 200, "image/jpeg"),
    "photo2.jpg": (b"\xff\xd8\xff\xe0" + b"\0" * 200, "image/jpeg"),
}


@pytest.fixture
def alpha_acute(cohort, cycle):
    return return_of(cycle, cohort.alpha, "acute")


def upload(cohort, return_, name: str, content: bytes, **kwargs):
    return services.evidence_add_file(
        by=kwargs.pop("by", cohort.alpha_contributor),
        return_=return_,
        domain_id=kwargs.pop("domain_id", "sf.epr"),
        uploaded_file=SimpleUploadedFile(name, content),
        **kwargs,
    )


@pytest.mark.parametrize("name", list(SAMPLES))
def test_accepted_types_are_stored_with_their_sniffed_type_and_digest(
    cohort, alpha_acute, settings, name
):
    content, content_type = SAMPLES[name]
    evidence = upload(cohort, alpha_acute, name, content, note="Board approved")
    evidence.refresh_from_db()
    assert evidence.kind == "file" and evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.scan_status == "not_scanned"  # the default scanner scans nothing
    assert evidence.note == "Board approved" and evidence.uploaded_by == cohort.alpha_contributor
    stored = Path(settings.MEDIA_ROOT) / evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{alpha_acute.pk}/")
    assert name not in evidence.file.name  # stored under a random name
    assert stored.read_bytes() == content
    record = AuditRecord.objects.get(action="evidence.added")
    assert record.after["file"] == name and record.organisation_id == cohort.alpha.pk


def test_a_program_named_as_a_pdf_is_refused(cohort, alpha_acute):
    with pytest.raises(InvalidUpload) as caught:
        upload(cohort, alpha_acute, "strategy.pdf", b"MZ\x90\x00" + b"\0" * 300)
    assert caught.value.message == (
        "strategy.pdf: its content is a Windows program (.exe). Evidence must be a PDF, Word "
        "(.docx, .doc), Excel (.xlsx, .xls), PNG or JPEG file."
    )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some text", "its content is not a type that could be recognised"),
        ("archive.zip", b"PK\x03\x04" + b"\0" * 100, "its content is a ZIP archive"),
        ("picture.gif", b"GIF89a" + b"\0" * 100, "its content is image/gif (.gif)"),
        ("strategy.docx", pdf(), "strategy.docx is named .docx but its content is a PDF"),
        ("strategy", pdf(), "strategy is named without an extension but its content is a PDF"),
        ("sheet.xls", xlsx(), "named .xls but its content is an Excel workbook: rename it (.xlsx)"),
        ("empty.pdf", b"", "empty.pdf is empty"),
    ],
)
def test_refusals_say_exactly_what_is_wrong(cohort, alpha_acute, name, content, message):
    with pytest.raises(InvalidUpload, match=message.replace("(", r"\(").replace(")", r"\)")):
        upload(cohort, alpha_acute, name, content)
    assert not Evidence.objects.exists()


def test_files_over_10_mb_are_refused(cohort, alpha_acute):
    limit = 10 * 1024 * 1024
    assert upload(cohort, alpha_acute, "ok.pdf", pdf(b"0" * (limit - len(pdf())))).size == limit
    with pytest.raises(
        InvalidUpload, match=r"big.pdf is 10.0 MB: evidence files can be at most 10 MB"
    ):
        upload(cohort, alpha_acute, "big.pdf", pdf(b"0" * (limit + 1 - len(pdf()))))
    assert Evidence.objects.count() == 1


def test_the_scanner_refuses_infected_files(cohort, alpha_acute, settings):
    settings.EVIDENCE_SCANNER = "maturity.assessments.services.evidence.eicar_test_scanner"
    with pytest.raises(InvalidUpload) as caught:
        upload(cohort, alpha_acute, "report.pdf", pdf(b"x" * 2_000_000 + EICAR))
    assert caught.value.message == (
        "report.pdf failed the virus scan (EICAR test signature): it was not stored."
    )
    assert not Evidence.objects.exists()
    clean = upload(cohort, alpha_acute, "report.pdf", pdf())
    assert clean.scan_status == "clean"


def test_the_eicar_string_is_found_across_chunk_boundaries():
    from maturity.assessments.services.evidence import eicar_test_scanner

    content = b"a" * (1024 * 1024 - 10) + EICAR + b"b" * 100
    assert eicar_test_scanner(io.BytesIO(content))[0] == "infected"
    assert eicar_test_scanner(io.BytesIO(content.replace(b"EICAR", b"EICAX")))[0] == "clean"


def test_a_scanner_can_defer_its_verdict(cohort, alpha_acute, settings):
    settings.EVIDENCE_SCANNER = "tests.assessments.test_evidence.pending_scanner"
    assert upload(cohort, alpha_acute, "report.pdf", pdf()).scan_status == "pending"


def pending_scanner(file):
    return "pending"


def test_links(cohort, alpha_acute):
    link = services.evidence_add_link(
        by=cohort.alpha_submitter,
        return_=alpha_acute,
        domain_id="sf.epr",
        url=" https://intranet.example.nhs.uk/epr-go-live ",
        note="Go-live report",
    )
    assert (link.kind, link.url, link.file.name) == (
        "link",
        "https://intranet.example.nhs.uk/epr-go-live",
        "",
    )
    for bad in ("intranet/epr", "javascript:alert(1)", "ftp://example.com/x", ""):
        with pytest.raises(InvalidUpload, match="full web address"):
            services.evidence_add_link(
                by=cohort.alpha_submitter, return_=alpha_acute, domain_id="sf.epr", url=bad
            )


def test_evidence_belongs_to_a_domain_of_the_return(cohort, alpha_acute):
    with pytest.raises(InvalidUpload, match="'xx.nothing' is not a domain of this return"):
        upload(cohort, alpha_acute, "a.pdf", pdf(), domain_id="xx.nothing")


@pytest.mark.parametrize("who", ["beta_contributor", "analyst", "lead_a", "nobody"])
def test_only_the_organisations_people_add_evidence(cohort, alpha_acute, who):
    with pytest.raises(PermissionDenied):
        upload(cohort, alpha_acute, "a.pdf", pdf(), by=getattr(cohort, who))
    with pytest.raises(PermissionDenied):
        services.evidence_add_link(
            by=getattr(cohort, who),
            return_=alpha_acute,
            domain_id="sf.epr",
            url="https://example.com",
        )


def test_removal_is_soft_and_audited(cohort, alpha_acute, settings):
    evidence = upload(cohort, alpha_acute, "a.pdf", pdf())
    with pytest.raises(PermissionDenied):
        services.evidence_remove(by=cohort.beta_contributor, evidence=evidence)
    services.evidence_remove(by=cohort.alpha_submitter, evidence=evidence)
    evidence.refresh_from_db()
    assert evidence.removed_by == cohort.alpha_submitter and evidence.removed_at is not None
    assert (Path(settings.MEDIA_ROOT) / evidence.file.name).exists()  # the file is kept
    assert not Evidence.objects.current().exists()
    record = AuditRecord.objects.get(action="evidence.removed")
    assert record.before["label"] == "a.pdf"
    services.evidence_remove(by=cohort.alpha_submitter, evidence=evidence)  # already removed
    assert AuditRecord.objects.filter(action="evidence.removed").count() == 1


def test_a_committed_return_takes_no_evidence(cohort, alpha_acute):
    evidence = upload(cohort, alpha_acute, "a.pdf", pdf())
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    with pytest.raises(ReturnLocked):
        upload(cohort, alpha_acute, "b.pdf", pdf())
    with pytest.raises(ReturnLocked):
        services.evidence_remove(by=cohort.alpha_submitter, evidence=evidence)
