"""Formatting for support pages and exports: money, shares, levels, constraint words."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from maturity.core.optimise import STATUSES

from .selectors import PILLAR_NAMES, pillar_name, setting_name

_PILLAR_RANK = {pillar: rank for rank, pillar in enumerate(PILLAR_NAMES)}


def in_pillar_order(values: dict) -> list[tuple[str, object]]:
    """(pillar, value) pairs in the framework's pillar order (JSON in PostgreSQL keeps none)."""
    return sorted(values.items(), key=lambda item: (_PILLAR_RANK.get(item[0], 99), item[0]))


def money(value: float | Decimal | None) -> str:
    if value is None:
        return "None set"
    return f"£{float(value):,.0f}"


def millions(value: float | None) -> str:
    if value is None:
        return "None set"
    return f"£{float(value) / 1e6:,.1f}m"


def share(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}%"


def levels(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}"


def signed(value: float | int | None, *, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:+d}"
    return f"{value:+.{digits}f}"


def status_words(status: str) -> str:
    return STATUSES.get(status, "Not solved yet")


def shadow_words(constraint: dict, objective: str) -> str:
    """What one more unit of a constraint's limit is worth, in words."""
    price = constraint.get("shadow_price")
    if price is None or abs(price) < 1e-15:
        return "–"
    if constraint["kind"] == "target":
        return f"{money(price)} per organisation"
    if objective == "min_cost":
        return f"{money(price * 1e6)} of cost per £1m"
    return f"{price * 1e6:+.2f} weighted levels per £1m"


def uplift_words(uplift: dict) -> str:
    return "; ".join(f"{pillar_name(p)} +{v:.2f}" for p, v in in_pillar_order(uplift)) or "–"


def gaps_words(gaps: dict) -> str:
    found = [f"{pillar_name(p)} {v:.2f}" for p, v in in_pillar_order(gaps) if v > 0]
    return "; ".join(found) or "At the core level"


def settings_words(settings: list[str]) -> str:
    return ", ".join(setting_name(s) for s in settings)


ALLOCATION_COLUMNS = (
    "programme",
    "scenario",
    "demonstration",
    "ods_code",
    "organisation",
    "icb_ods_code",
    "icb",
    "eligible",
    "at_core_level_before",
    "reaches_core_level",
    "amount_gbp",
    "need_gbp",
    "priority_weight",
    "scores",
    "gaps",
    "uplift_levels",
)


def allocation_csv(scenario, rows) -> str:
    """Every organisation in the solved scenario, one row each (pillar figures as id=value)."""

    def pairs(values: dict) -> str:
        return "; ".join(f"{k}={v:.4f}" for k, v in in_pillar_order(values))

    out = io.StringIO()
    writer = csv.writer(out)
    demonstration = scenario.is_demonstration or scenario.programme.is_demonstration
    writer.writerow(ALLOCATION_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                scenario.programme.name,
                scenario.name,
                "yes" if demonstration else "no",
                row.organisation.ods_code,
                row.organisation.name,
                row.icb.ods_code if row.icb else "",
                row.icb.name if row.icb else "",
                "yes" if row.eligible else "no",
                "yes" if row.at_target_before else "no",
                "yes" if row.reaches_target else "no",
                int(row.amount_gbp),
                int(row.need_gbp),
                f"{row.weight:.4f}",
                pairs(row.scores),
                pairs(row.gaps),
                pairs(row.uplift),
            ]
        )
    return out.getvalue()
