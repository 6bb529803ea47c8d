"""The steps of `maturity demo`, each idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command

from maturity.accounts.services import DemoSignIn, ensure_demo_users


def build_demo(*, progress: Callable[[str], None] = lambda _msg: None) -> list[DemoSignIn]:
    from maturity.assessments.services import (
        generate_demonstration_returns,
        open_demonstration_cycle,
    )
    from maturity.benchmarks.services import prepare_demo_benchmarks
    from maturity.commitments.seeding import seed_commitments
    from maturity.commitments.services import derive_observations
    from maturity.frameworks.services import sync_editions
    from maturity.organisations.services import import_reference_data
    from maturity.results.services import import_published_dma
    from maturity.reviews.demo import record_demo_round
    from maturity.support.seeding import seed_support_demo

    progress("Applying database migrations")
    call_command("migrate", verbosity=0, interactive=False)
    progress("Importing the organisation registry (ODS, ICB mergers, CQC, facts)")
    import_reference_data(progress=progress)
    progress("Loading framework editions")
    sync_editions()
    progress("Importing NHS England's published 2024 and 2025 results")
    import_published_dma()
    progress("Generating demonstration returns for 2025")
    generate_demonstration_returns()
    progress("Opening the 2026 demonstration cycle for trusts and ICBs")
    open_demonstration_cycle()
    progress("Seeding government digital commitments and deriving their evidence")
    seed_commitments()
    derive_observations()
    progress("Creating demo sign-ins")
    sign_ins = ensure_demo_users()
    progress("Recording a peer-review round on the 2025 demonstration returns")
    record_demo_round(progress=progress)
    progress("Building benchmarks and publishing the first releases")
    prepare_demo_benchmarks()
    progress("Seeding targeted support: funding scenarios, case studies, communities")
    seed_support_demo(progress=progress)
    return sign_ins
