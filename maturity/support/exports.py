"""PDF from the same HTML as the page, with WeasyPrint (imported only when a PDF is asked for).

WeasyPrint may read only the service's own static files: any other address is refused, so a
PDF can never make the server reach out to the network or read other files.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation


class FetchRefused(ValueError):
    pass


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and media type of the static file ``url`` names; FetchRefused otherwise."""
    parsed = urlparse(url)
    path = parsed.path
    if parsed.scheme not in ("http", "https") or not path.startswith(settings.STATIC_URL):
        raise FetchRefused(f"PDF rendering may only read static files, not {url}")
    name = path[len(settings.STATIC_URL) :]
    if ".." in name.split("/"):
        raise FetchRefused(f"No static file {path}")
    try:
        found = finders.find(name)
    except SuspiciousFileOperation as error:
        raise FetchRefused(f"No static file {path}") from error
    if not found:
        raise FetchRefused(f"No static file {path}")
    file_path = Path(found)
    return file_path.read_bytes(), mimetypes.guess_type(file_path.name)[0] or "text/plain"


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    # WeasyPrint logs every layout step at INFO; the service's log wants none of them.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnly()).write_pdf()
