"""HTML printed to PDF by WeasyPrint, reading only the files it is given (never the network).

The HTML holds people's text (names, rationales, narratives); even escaped, nothing it could name
is ever fetched: the only URLs WeasyPrint may open are the ``file:`` URLs of the stylesheets
passed in. WeasyPrint is imported only when a PDF is asked for (it is slow to import).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PDF_CONTENT_TYPE = "application/pdf"


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL that is not one of the allowed files."""


def local_files_fetcher(allowed: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that opens the ``allowed`` files and refuses everything else."""
    from weasyprint.urls import URLFetcher

    allowed_urls = frozenset(path.resolve().as_uri() for path in allowed)

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed_urls:
                raise FetchRefused(f"not fetched while printing: {url}")
            return super().fetch(url, headers)

    return LocalFilesOnly()


def render_document(html: str, *, stylesheets: Sequence[Path]) -> Any:
    """The laid-out WeasyPrint document (its pages), before it is written as PDF.

    The HTML links its stylesheets by their ``file:`` URLs (``path.resolve().as_uri()``).
    """
    # WeasyPrint logs every layout step at INFO; the service's log wants none of them.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    base = stylesheets[0].resolve().parent if stylesheets else Path.cwd()
    document = HTML(string=html, base_url=str(base), url_fetcher=local_files_fetcher(stylesheets))
    return document.render()


def html_to_pdf(html: str, *, stylesheets: Sequence[Path]) -> bytes:
    """The HTML as PDF bytes."""
    return render_document(html, stylesheets=stylesheets).write_pdf()
