"""Run a peer-review round on the demonstration returns and measure what it catches.

A seeded share of the returns is inflated (in memory: the stored returns are not changed),
reviews are simulated and the validation flags raised; the command prints how many inflated
returns the flags and the review catch, and how many honest returns they hit. See
docs/peer-review-evaluation.md for the method and the figures.

With ``--record`` it also runs the real round on the cycle as the system: the calibration cases
are loaded, every committed return is matched with a reviewer (and a sample given a blind second
review) and the validation flags are raised, so the demonstration pages have a round to show.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from maturity.assessments.models import Cycle
from maturity.core.review.flags import FLAG_KINDS
from maturity.core.review.simulation import ReviewModel


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value * 100:5.1f}%"


class Command(BaseCommand):
    help = "Measure what peer review and the validation flags catch on the demonstration returns."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Cycle id (default: the 2025 demonstration)")
        parser.add_argument("--share", type=float, default=0.10, help="Share inflated (0.10)")
        parser.add_argument("--seed", type=int, default=2025, help="First seed (2025)")
        parser.add_argument("--runs", type=int, default=20, help="Seeded runs (20)")
        defaults = ReviewModel()
        parser.add_argument("--reviewer-sd", type=float, default=defaults.reviewer_sd)
        parser.add_argument("--bias-sd", type=float, default=defaults.reviewer_bias_sd)
        parser.add_argument("--evidence-miss", type=float, default=defaults.evidence_miss)
        parser.add_argument("--inflator-contest", type=float, default=defaults.inflator_contest)
        parser.add_argument("--moderator-error", type=float, default=defaults.moderator_error)
        parser.add_argument("--json", type=Path, help="Write the full report here as JSON")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also match reviewers and raise flags on the cycle itself (as the system)",
        )

    def handle(self, *args, **options):
        from maturity.reviews.evaluation import evaluate

        cycle = self._cycle(options["cycle"])
        if not 0 < options["share"] < 1:
            raise CommandError("--share must be between 0 and 1.")
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        model = ReviewModel(
            reviewer_sd=options["reviewer_sd"],
            reviewer_bias_sd=options["bias_sd"],
            evidence_miss=options["evidence_miss"],
            inflator_contest=options["inflator_contest"],
            moderator_error=options["moderator_error"],
        )
        seeds = list(range(options["seed"], options["seed"] + options["runs"]))
        report = evaluate(cycle, share=options["share"], seeds=seeds, model=model)
        self._print(report)
        if options["json"]:
            options["json"].write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
            self.stdout.write(f"Report written to {options['json']}.")
        if options["record"]:
            self._record(cycle)

    def _cycle(self, pk: int | None) -> Cycle:
        from maturity.reviews.demo import demo_cycle

        cycle = demo_cycle(pk)
        if cycle is None:
            raise CommandError(
                "No demonstration cycle with returns: run `maturity demo --no-serve` first."
            )
        return cycle

    def _print(self, report) -> None:
        data = report.as_dict()
        out = self.stdout.write
        out(f"{report.cycle_title}: {report.returns} committed returns")
        out(
            f"Matching: {report.matched} matched, {report.unmatched} unmatched, "
            f"{report.reciprocal_pairs} reciprocal pairs"
        )
        details = report.matching_details
        if details is not None:
            load = ", ".join(
                f"{n} review {k} {'return' if k == 1 else 'returns'}"
                for k, n in sorted(details.load.items(), reverse=True)
            )
            out(f"  Reviewing organisations: {load}")
            if details.sized_matches:
                out(
                    f"  Size (larger / smaller) over the {details.sized_matches} matches with "
                    f"both sizes known: median {details.size_ratio_median:.2f}, 90th percentile "
                    f"{details.size_ratio_p90:.2f}, largest {details.size_ratio_max:.2f}; "
                    f"{details.unknown_size_matches} matches with a size not known"
                )
            out(
                f"  Pairs otherwise eligible that today's hierarchy puts in one system "
                f"(excluded): {details.excluded_by_today}"
            )
            for item in details.unmatched_returns:
                out(
                    f"  Unmatched: {item['organisation']} ({item['ods_code']}), "
                    f"{item['care_setting']}: {item['reason']}"
                )
        inflation = data["inflation"]
        out(
            f"{len(report.seeds)} runs, {report.share:.0%} of returns inflated in each "
            f"({report.seconds:.1f} s); an inflated return gained on average "
            f"{inflation['levels_per_return']:.1f} levels over "
            f"{inflation['domains_per_return']:.1f} domains"
        )
        out("")
        out(f"{'':34s} {'caught (inflated)':>24s}   {'hit (honest)':>24s}")
        rows = [
            ("Peer review (a level taken back)", "review"),
            ("Any flag before the review", "pre_review_flags"),
            ("Any flag, with self-v-peer gap", "any_flag"),
            ("Review or any flag", "review_or_flag"),
        ] + [(f"  {label}", kind) for kind, label in FLAG_KINDS.items()]
        for label, name in rows:
            s = data["sensitivity"][name]
            f = data["false_positive_rate"][name]
            out(
                f"{label[:34]:34s} {_pct(s['mean'])} ({_pct(s['low'])}–{_pct(s['high'])})"
                f"   {_pct(f['mean'])} ({_pct(f['low'])}–{_pct(f['high'])})"
            )
        removed = data["levels_removed"]
        out("")
        out(
            f"Inflated levels taken back by the review: {_pct(removed['mean'])} "
            f"({_pct(removed['low'])}–{_pct(removed['high'])})"
        )
        corrected = data["fully_corrected"]
        out(f"Inflated returns fully corrected: {_pct(corrected['mean'])}")
        out(
            f"Returns challenged per run: {data['challenged_returns']['mean']:.0f}; "
            f"moderations per run: {data['moderations']['mean']:.0f}"
        )
        out(f"Flags on the honest returns alone: {report.honest_baseline}")

    def _record(self, cycle: Cycle) -> None:
        from maturity.reviews.demo import record_demo_round

        round_ = record_demo_round(cycle=cycle, progress=self.stdout.write)
        if round_ is not None:
            self.stdout.write(
                f"Recorded the round on cycle {round_.cycle_id}: {round_.matched} returns matched "
                f"now, {round_.blind_second} blind second reviews, {round_.flags_open} flags open."
            )
