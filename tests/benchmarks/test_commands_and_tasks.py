"""`maturity build-benchmarks`, `maturity publish-release` and the background task."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from maturity.benchmarks.models import OrganisationBenchmark, Release, SnapshotBuild
from maturity.benchmarks.services import schedule_snapshot_build
from maturity.benchmarks.tasks import build_snapshots
from maturity.results.models import PublishedResult

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    settings.TASKS = IMMEDIATE


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_build_benchmarks_skips_unchanged_data_sets_unless_forced(world):
    assert "published-2025: unchanged since the last build." in run("build_benchmarks")
    forced = run("build_benchmarks", "--force", "--source", "published", "--year", "2025")
    assert "published-2025: built from" in forced


def test_build_benchmarks_with_nothing_to_build(world):
    PublishedResult.objects.all().delete()
    assert "There are no results to build benchmarks from" in run("build_benchmarks")


def test_the_task_rebuilds_changed_results(world, django_capture_on_commit_callbacks):
    result = PublishedResult.objects.filter(year=2025, care_setting="community").first()
    result.overall = 1.0
    result.save()
    # Tasks are enqueued when the transaction commits (the test's never does: run them now).
    with django_capture_on_commit_callbacks(execute=True):
        outcome = build_snapshots.enqueue(source="published", year=2025)
    assert outcome.status == "SUCCESSFUL"
    built = {summary["dataset"]: summary["built"] for summary in outcome.return_value}
    assert built == {"published-2025": True}
    row = OrganisationBenchmark.objects.get(
        build=SnapshotBuild.objects.get(year=2025),
        organisation=result.organisation,
        care_setting="community",
    )
    assert row.values["overall"] == 1.0


def test_a_rebuild_is_queued_when_the_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    result = PublishedResult.objects.filter(year=2025, care_setting="acute").first()
    result.overall = 1.1
    result.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_snapshot_build(source="published", year=2025)
    assert len(callbacks) >= 1
    row = OrganisationBenchmark.objects.get(
        build=SnapshotBuild.objects.get(year=2025),
        organisation=result.organisation,
        care_setting="acute",
    )
    assert row.values["overall"] == 1.1


def test_publish_release_command(world):
    out = run("publish_release", "--source", "published", "--year", "2025", "--stage", "final")
    assert "Published published-2025 version 1 (final)" in out
    assert Release.objects.get().published_by is None
    with pytest.raises(CommandError, match="needs a note"):
        run("publish_release", "--source", "published", "--year", "2025", "--stage", "final")
    with pytest.raises(CommandError, match="no user"):
        run(
            "publish_release",
            "--source",
            "published",
            "--year",
            "2025",
            "--stage",
            "final",
            "--by",
            "ghost",
        )


def test_a_cycle_rebuild_is_queued_for_its_own_data_set(
    demo_world, django_capture_on_commit_callbacks
):
    from maturity.assessments.models import Cycle
    from maturity.benchmarks.models import AreaSummary
    from maturity.benchmarks.services import schedule_cycle_snapshot_build
    from maturity.reviews.services import flags_raise

    cycle = Cycle.objects.get(is_demonstration=True, year=2025)
    published_built = SnapshotBuild.objects.get(source="published", year=2025).built_at
    flags_raise(by=None, cycle=cycle)  # the cycle's inputs change: flags to count
    assert not AreaSummary.objects.filter(build__source="demonstration").exclude(flags={}).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_cycle_snapshot_build(cycle=cycle)
    assert len(callbacks) == 1
    assert AreaSummary.objects.filter(build__source="demonstration").exclude(flags={}).exists()
    assert SnapshotBuild.objects.get(source="published", year=2025).built_at == published_built
