"""`maturity import-published-results` and `maturity generate-demo-returns`: clear output."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from maturity.results.models import PublishedResult

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_reports_every_unmatched_name_without_a_traceback(db):
    with pytest.raises(CommandError) as caught:
        _run("import_published_results")
    message = str(caught.value)
    assert message.startswith("Nothing was imported from ")
    assert "327 problem(s)" in message  # every row: 285 trust rows and 42 ICBs
    assert (
        "  - SC - 2025 Pillar Summary row 13: 'ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST' "
        "not matched"
    ) in message
    assert "Traceback" not in message
    assert PublishedResult.objects.count() == 0


def test_import_of_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        _run("import_published_results", str(tmp_path / "nothing.xlsx"))


def test_generate_needs_the_edition_and_published_results(db):
    with pytest.raises(CommandError, match="run `maturity sync-editions` first"):
        _run("generate_demo_returns")
    from maturity.frameworks.services import sync_editions

    sync_editions()
    with pytest.raises(CommandError, match="run `maturity import-published-results` first"):
        _run("generate_demo_returns", "--seed", "7")


def test_generate_prints_a_summary(small_world):
    output = _run("generate_demo_returns", "--seed", "7")
    assert "0 created, 3 already there" in output
    assert "Published pillar scores reproduced: 19 of 19." in output
