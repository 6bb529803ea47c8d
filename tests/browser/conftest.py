"""Browser tests: Playwright driving Debian's chromium, with axe-core from npm.

Every page a test visits goes through `visit()`, which fails the test on an HTTP error, a
Content Security Policy violation or any axe-core violation (WCAG 2.2 A/AA and best practice).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


_SHARED: dict = {}


def _shared_browser():
    # One Playwright and one chromium per test process, however many test packages import the
    # fixture: two sync Playwright instances in one process cannot coexist.
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless"]
        )
        atexit.register(_close_shared_browser)
    return _SHARED["browser"]


def _close_shared_browser():
    browser = _SHARED.pop("browser", None)
    playwright = _SHARED.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser-deps` (apt-get install chromium)."
        )
    if not AXE_JS.exists():
        pytest.fail("axe-core not installed: run `npm ci`.")
    return _shared_browser()


class Visitor:
    """A browser page that checks every page it lands on."""

    def __init__(self, page, base_url: str, *, javascript: bool = True):
        self.page = page
        # Without JavaScript axe cannot run in the page; those visits check status and CSP only.
        self.javascript = javascript
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_violations.append(message.text)

    def visit(self, path: str, *, status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.check()
        return response

    def check(self):
        """Run axe on the current page and check for CSP violations."""
        assert not self.csp_violations, f"CSP violations on {self.page.url}: {self.csp_violations}"
        if not self.javascript:
            return
        self.page.evaluate(AXE_JS.read_text())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        url = self.page.url
        self.checked.append(url)
        assert not violations, f"axe violations on {url}:\n{json.dumps(violations, indent=2)}"
        assert not self.csp_violations, f"CSP violations on {url}: {self.csp_violations}"


@pytest.fixture
def visitor(browser, live_server) -> Iterator[Visitor]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visitor(page, live_server.url)
    context.close()


@pytest.fixture
def visitor_no_js(browser, live_server) -> Iterator[Visitor]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visitor(page, live_server.url, javascript=False)
    context.close()
