"""The panel's summary table as PDF, printed by WeasyPrint from its own standalone HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.template.loader import render_to_string

from maturity.web import pdf

from . import presenters
from .anchors import QUESTIONS
from .selectors import Summary

# Read from disk through a file URL by WeasyPrint (never a network URL).
SUMMARY_STYLESHEET = Path(__file__).resolve().parent / "pdf" / "summary.css"
SUMMARY_TEMPLATE = "commitments/pdf/summary.jinja"


def summary_pdf_html(data: Summary, *, printed_on: dt.date) -> str:
    return render_to_string(
        SUMMARY_TEMPLATE,
        {
            "summary": data,
            "questions": QUESTIONS,
            "p": presenters,
            "printed_on": printed_on,
            "stylesheet_url": SUMMARY_STYLESHEET.as_uri(),
        },
    )


def summary_pdf(data: Summary, *, printed_on: dt.date) -> bytes:
    """The summary table (commitments by area with their five ratings) as an A4 PDF."""
    html = summary_pdf_html(data, printed_on=printed_on)
    return pdf.html_to_pdf(html, stylesheets=[SUMMARY_STYLESHEET])
