from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maturity.cli import main
from maturity.frameworks.models import FrameworkEdition

from .builders import base_domains, edition_meta, write_edition, write_valid


def test_validate_framework_accepts_the_shipped_editions(editions_dir, capsys):
    call_command("validate_framework", str(editions_dir))
    call_command("validate_framework", str(editions_dir / "wgll-2024"))
    assert "no problems found" in capsys.readouterr().out


def test_validate_framework_prints_file_and_path_and_fails(tmp_path, capsys):
    domains = base_domains()
    del domains["well_led"][0]["levels"][1]["title"]
    folder = write_edition(tmp_path, edition_meta("test-2025", 2025), domains)
    with pytest.raises(CommandError, match="1 problem"):
        call_command("validate_framework", str(folder))
    assert (
        "test-2025/domains/well_led.yaml: [0].levels[1].title: field required"
        in capsys.readouterr().err
    )


def test_validate_framework_checks_comparability_with_the_previous_edition(tmp_path, capsys):
    write_valid(tmp_path, "test-2024", 2024)
    domains = base_domains()
    for items in domains.values():
        for item in items:
            item["comparable_with"] = item["id"]
    domains["well_led"][0]["comparable_with"] = "wl.vision"
    folder = write_edition(
        tmp_path, edition_meta("test-2025", 2025, previous_edition="test-2024"), domains
    )
    with pytest.raises(CommandError, match="1 problem"):
        call_command("validate_framework", str(folder))
    err = capsys.readouterr().err
    assert (
        "test-2025/domains/well_led.yaml: [0].comparable_with: test-2024 has no domain wl.vision"
        in err
    )


def test_validate_framework_on_a_folder_without_editions(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("validate_framework", str(tmp_path))
    assert "no edition.yaml here or in any sub-folder" in capsys.readouterr().err


def test_cli_exits_non_zero_on_a_broken_edition(tmp_path, capsys):
    folder = write_valid(tmp_path)
    (folder / "edition.yaml").write_text("id: test-2025\nyear: [\n")
    with pytest.raises(SystemExit) as caught:
        main(["validate-framework", str(folder)])
    assert caught.value.code != 0
    assert "test-2025/edition.yaml: line" in capsys.readouterr().err


@pytest.mark.django_db
def test_sync_editions_command_is_idempotent(capsys):
    call_command("sync_editions")
    first = capsys.readouterr().out
    assert "created    wgll-2025  (published)" in first
    count = FrameworkEdition.objects.count()
    call_command("sync_editions")
    second = capsys.readouterr().out
    assert f"{count} editions: 0 created, 0 updated, {count} unchanged." in second


@pytest.mark.django_db
def test_sync_editions_command_reports_problems(tmp_path, capsys):
    folder = write_valid(tmp_path)
    (folder / "domains" / "well_led.yaml").write_text("- id: wl.strategy\n")
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("sync_editions", editions_dir=tmp_path)
    assert "test-2025/domains/well_led.yaml: [0].pillar: field required" in capsys.readouterr().err
    assert FrameworkEdition.objects.count() == 0
