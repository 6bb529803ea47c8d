"""Formatting of money, shares and constraint values."""

from __future__ import annotations

from decimal import Decimal

from maturity.support import presenters as p


def test_money_share_and_signs():
    assert p.money(Decimal("1234567")) == "£1,234,567"
    assert p.money(None) == "None set"
    assert p.millions(2_450_000) == "£2.5m"
    assert p.share(0.7) == "70.0%" and p.share(None) == "–"
    assert p.signed(3) == "+3" and p.signed(-0.25, digits=2) == "-0.25" and p.signed(None) == "–"
    assert p.levels(1.234) == "1.23"


def test_shadow_prices_in_words():
    budget = {"kind": "budget", "shadow_price": 1.5e-6}
    assert p.shadow_words(budget, "reach") == "+1.50 weighted levels per £1m"
    assert p.shadow_words(budget, "min_cost") == "£2 of cost per £1m"
    assert p.shadow_words({"kind": "target", "shadow_price": 750000.0}, "min_cost") == (
        "£750,000 per organisation"
    )
    assert p.shadow_words({"kind": "floor", "shadow_price": None}, "reach") == "–"
    assert p.shadow_words({"kind": "floor", "shadow_price": -0.0}, "reach") == "–"


def test_gaps_and_uplift_in_words():
    assert p.gaps_words({"smart_foundations": 0.5, "safe_practice": 0.0}) == (
        "Ensure smart foundations 0.50"
    )
    assert p.gaps_words({"smart_foundations": 0.0}) == "At the core level"
    assert p.uplift_words({"safe_practice": 0.25}) == "Safe practice +0.25"
    assert p.uplift_words({}) == "–"
    assert p.settings_words(["acute", "mental_health"]) == "Acute, Mental health"
    assert p.status_words("feasible").startswith("Stopped at the time limit")
    assert p.status_words("not_solved") == "Not solved yet"
