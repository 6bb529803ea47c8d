"""The needs-support rules and learning-partner matching: pure functions, no database."""

from __future__ import annotations

import pytest

from maturity.support import matching, needs
from maturity.support.needs import SettingScore

SF = "smart_foundations"
SP = "safe_practice"


def test_furthest_lists_only_those_short_largest_gap_first():
    found = needs.furthest_from_target(
        {"A": {SF: 3.2, SP: 3.0}, "B": {SF: 2.0, SP: 2.5}, "C": {SF: 1.5, SP: 1.5}},
        {SF: 3.0, SP: 3.0},
    )
    assert [(f.key, f.total) for f in found] == [("C", 3.0), ("B", 1.5)]
    assert found[1].gaps == {SF: 1.0, SP: 0.5}


def test_falling_back_needs_a_fall_of_a_tenth_or_more():
    rows = [
        SettingScore("A", "acute", None, 1.5, 1.6),  # -0.1 (float noise included)
        SettingScore("B", "acute", None, 2.2, 2.6),
        SettingScore("C", "acute", None, 2.55, 2.6),  # -0.05: noise, not a fall
        SettingScore("D", "acute", None, 2.5, None),  # no previous year
    ]
    found = needs.falling_back(rows)
    assert [(f.key, round(f.change, 2)) for f in found] == [("B", -0.4), ("A", -0.1)]


def test_size_bands_are_thirds_of_known_sizes_per_setting():
    rows = [SettingScore(f"T{i}", "acute", float(i), 2.0, None) for i in range(1, 16)]
    rows.append(SettingScore("U", "acute", None, 2.0, None))
    rows.append(SettingScore("M", "mental_health", 5.0, 2.0, None))
    bands = needs.size_bands(rows)
    assert bands[("T1", "acute")] == "smaller"
    assert bands[("T8", "acute")] == "middle"
    assert bands[("T15", "acute")] == "larger"
    assert bands[("U", "acute")] == needs.SIZE_NOT_KNOWN
    # Too few known sizes in mental health: one group.
    assert bands[("M", "mental_health")] == needs.ALL_SIZES


def test_peers_do_much_better_flags_the_outlier_only():
    values = {"A": 3.0, "B": 2.2, "C": 2.5, "D": 1.5, "E": 3.4, "F": 2.6, "G": 3.1}
    rows = [SettingScore(k, "acute", None, v, None) for k, v in values.items()]
    (found,) = needs.peers_do_much_better(rows)
    assert found.key == "D"
    assert found.peer_median == 2.6 and found.peer_count == 7
    assert found.z == pytest.approx((1.5 - 2.6) / (1.4826 * 0.4))


def test_peer_groups_smaller_than_five_are_not_judged():
    rows = [
        SettingScore(k, "acute", None, v, None) for k, v in zip("ABCD", [3, 3, 3, 1], strict=True)
    ]
    assert needs.peers_do_much_better(rows) == []


def profile(key, levels, *, size=None, setting="acute", contactable=False):
    return matching.Profile(
        key, f"Org {key}", setting, size, levels, contactable, order=("d1", "d2", "d3", "d4")
    )


def test_weakest_are_the_lowest_levels_below_five_in_framework_order():
    me = profile("ME", {"d1": 2, "d2": 1, "d3": 2, "d4": 5})
    assert matching.weakest(me) == ["d2", "d1", "d3"]
    assert matching.weakest(profile("X", {"d1": 5, "d2": 5})) == []


def test_partners_must_be_markedly_stronger_similar_in_size_and_same_setting():
    me = profile("ME", {"d1": 1, "d2": 2, "d3": 4, "d4": 5}, size=100)
    others = [
        profile("A", {"d1": 3, "d2": 4, "d3": 4}, size=150),  # stronger in d1 and d2
        profile("B", {"d1": 3, "d2": 2, "d3": 4}, size=120, contactable=True),  # d1 only
        profile("C", {"d1": 4, "d2": 4, "d3": 5}, size=300),  # too big (3x)
        profile("D", {"d1": 4, "d2": 4, "d3": 5}, size=100, setting="community"),
        profile("E", {"d1": 2, "d2": 3, "d3": 5}, size=100),  # not markedly stronger
        profile("F", {"d1": 3, "d2": 2, "d3": 4}, size=None),  # size unknown: allowed
        profile("ME", {"d1": 5, "d2": 5, "d3": 5}, size=100),  # itself
    ]
    found = matching.suggest_partners(
        me, others, labels={"d1": "Domain one"}, setting_label="Acute"
    )
    assert [s.partner.key for s in found] == ["A", "B", "F"]
    assert [x.item for x in found[0].stronger] == ["d1", "d2"]
    assert found[0].reasons[0] == "Same care setting (Acute)"
    assert found[0].reasons[1] == "similar size (150 people served, against your 100)"
    assert found[0].reasons[2] == "Domain one: 3 where you are at 1"
    # Equal strength: the one that agreed to be contacted comes first.
    assert found[1].partner.contactable
    assert "size not known for both, so not compared" in found[2].reasons


def test_pillar_scores_use_a_smaller_margin():
    me = profile("ME", {"d1": 2.1, "d2": 3.0})
    other = profile("A", {"d1": 3.2, "d2": 3.0})
    assert matching.suggest_partners(me, [other]) == []
    (found,) = matching.suggest_partners(me, [other], margin=matching.PILLAR_MARGIN)
    assert found.reasons[-1] == "d1: 3.2 where you are at 2.1"
