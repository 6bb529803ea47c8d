"""A return as CSV and as PDF, from the one export presenter (:func:`data.export_data`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from maturity.core.scoring import round_half_up
from maturity.web import pdf

from ..models import Return
from .answer_rows import FORMULA_START
from .data import ReturnExport, export_data

CSV_COLUMNS = (
    "item_id",
    "value",
    "version",
    "kind",
    "pillar_id",
    "pillar",
    "domain_id",
    "domain",
    "level",
    "text",
    "answer",
    "updated_by",
    "updated_at",
    "copied_from_last_year",
)
# The A4 print stylesheet, read from disk by WeasyPrint through a file URL (never a network URL).
PDF_STYLESHEET = Path(__file__).resolve().parent / "pdf" / "print.css"
PDF_TEMPLATE = "assessments/pdf/return.jinja"


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    """A stored value as the import reads it back."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _score(value: float | None) -> Any:
    return "" if value is None else round_half_up(value, 1)


def return_csv(return_: Return) -> bytes:
    """The return's items, answers and versions, then its scores (UTF-8 with a byte order mark,
    so Excel opens it as UTF-8). It can be edited and imported back."""
    return render_csv(export_data(return_))


def render_csv(data: ReturnExport) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in data.rows:
        writer.writerow(
            safe_cell(cell)
            for cell in (
                row.item_id,
                _csv_value(row.value),
                row.version or "",
                row.kind,
                row.pillar_id,
                row.pillar,
                row.domain_id,
                row.domain,
                row.level or "",
                row.text,
                row.answer,
                row.updated_by,
                "" if row.updated_at is None else row.updated_at.isoformat(timespec="seconds"),
                "yes" if row.copied else "",
            )
        )
    for pillar in data.pillars:
        for domain in pillar.domains:
            writer.writerow(
                safe_cell(cell)
                for cell in (
                    domain.id,
                    domain.level or "",
                    "",
                    "domain_level",
                    pillar.id,
                    pillar.name,
                    domain.id,
                    domain.name,
                    domain.level or "",
                    f"Level this domain's answers give ({data.scoring_method})",
                    f"Level {domain.level}: {domain.level_title}" if domain.level else "",
                    "",
                    "",
                    "",
                )
            )
    for pillar in data.pillars:
        writer.writerow(
            safe_cell(cell)
            for cell in (
                pillar.id,
                "" if pillar.score is None else pillar.score,
                "",
                "pillar_score",
                pillar.id,
                pillar.name,
                "",
                "",
                "",
                "Mean of the pillar's domain levels (unrounded in value, 1 decimal in answer)",
                _score(pillar.score),
                "",
                "",
                "",
            )
        )
    for item_id, text, value in (
        ("overall", "Mean of every domain level", data.overall),
        (
            "overall_comparable",
            "Mean of the domain levels comparable with last year",
            data.overall_comparable,
        ),
    ):
        writer.writerow(
            (item_id, "" if value is None else value, "", "overall_score")
            + ("",) * 5
            + (text, _score(value), "", "", "")
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def pdf_html(data: ReturnExport) -> str:
    return render_to_string(
        PDF_TEMPLATE,
        {"data": data, "stylesheet_url": PDF_STYLESHEET.as_uri(), "score": _score},
    )


def stylesheet_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches the print stylesheet and nothing else.

    The HTML holds people's text (narratives, names); even escaped, nothing it could name is
    ever fetched: no network request and no other file is read while printing.
    """
    return pdf.local_files_fetcher([PDF_STYLESHEET])


def render_pdf_document(data: ReturnExport) -> Any:
    """The laid-out WeasyPrint document (its pages), before it is written as PDF."""
    return pdf.render_document(pdf_html(data), stylesheets=[PDF_STYLESHEET])


def return_pdf(return_: Return) -> bytes:
    """The return as an A4 PDF: details, scores, contextual answers, then each pillar's domains
    with their criteria, answers and versions."""
    return render_pdf_document(export_data(return_)).write_pdf()
