import pytest

from maturity.core.scoring import (
    AGREE_SCALE,
    NHS_NUMBER_UPTAKE,
    PERCENTAGE_BANDS,
    STRUCTURE_SCALE,
    LookupBand,
    LookupTable,
    OrdinalScale,
    dmi_index,
    dmi_theme_score,
    lookup,
    round_half_up,
)


@pytest.mark.parametrize(
    ("uptake", "score"),
    [
        (0, 0),
        (50, 0),
        (50.5, 17),  # between published whole-percent bands: belongs to (50, 75]
        (51, 17),
        (75, 17),
        (75.2, 35),
        (76, 35),
        (80, 35),
        (81, 52),
        (85, 52),
        (86, 70),
        (90, 70),
        (91, 87),
        (95, 87),
        (95.01, 100),
        (96, 100),
        (100, 100),
    ],
)
def test_nhs_number_uptake(uptake, score):
    assert lookup(NHS_NUMBER_UPTAKE, uptake) == score


@pytest.mark.parametrize("bad", [-0.01, -5, 100.01, 150])
def test_nhs_number_uptake_outside_0_to_100(bad):
    with pytest.raises(ValueError, match="outside the range of 'nhs_number_uptake'"):
        lookup(NHS_NUMBER_UPTAKE, bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "50", None, True])
def test_lookup_refuses_non_numbers(bad):
    with pytest.raises(ValueError, match="number"):
        lookup(NHS_NUMBER_UPTAKE, bad)


def test_custom_table_with_minimum_and_point_first_band():
    table = LookupTable(
        "beds", (LookupBand(0, 0), LookupBand(10, 50), LookupBand(20, 100)), minimum=0
    )
    assert [lookup(table, v) for v in (0, 0.1, 10, 10.5, 20)] == [0, 50, 50, 100, 100]
    assert table.maximum == 20


@pytest.mark.parametrize(
    "bands",
    [
        (),
        (LookupBand(50, 0), LookupBand(40, 10)),  # falling
        (LookupBand(50, 0), LookupBand(50, 10)),  # repeated upper
        (LookupBand(-1, 0),),  # below the minimum
    ],
)
def test_lookup_table_validation(bands):
    with pytest.raises(ValueError, match="lookup table 'bad'"):
        LookupTable("bad", bands)


@pytest.mark.parametrize(("upper", "score"), [(float("nan"), 1), (10, 1.5), (10, True)])
def test_lookup_band_validation(upper, score):
    with pytest.raises(ValueError):
        LookupBand(upper, score)


@pytest.mark.parametrize(
    ("scale", "option", "score"),
    [
        (AGREE_SCALE, 0, 0),
        (AGREE_SCALE, "Strongly disagree", 0),
        (AGREE_SCALE, "Disagree", 25),
        (AGREE_SCALE, "Neither agree nor disagree", 50),
        (AGREE_SCALE, "Agree", 75),
        (AGREE_SCALE, 4, 100),
        (PERCENTAGE_BANDS, 0, 0),
        (PERCENTAGE_BANDS, 1, 20),
        (PERCENTAGE_BANDS, 3, 60),
        (PERCENTAGE_BANDS, 5, 100),
        (STRUCTURE_SCALE, "Unstructured", 0),
        (STRUCTURE_SCALE, "Semi-structured", 50),
        (STRUCTURE_SCALE, 2, 100),
    ],
)
def test_answer_scales(scale, option, score):
    assert scale.score(option) == score


def test_scale_scores_as_published():
    assert AGREE_SCALE.scores == (0, 25, 50, 75, 100)
    assert PERCENTAGE_BANDS.scores == (0, 20, 40, 60, 80, 100)
    assert STRUCTURE_SCALE.scores == (0, 50, 100)


@pytest.mark.parametrize("option", [5, -1, "Maybe", True, 1.0])
def test_scale_refuses_unknown_options(option):
    with pytest.raises(ValueError):
        AGREE_SCALE.score(option)


def test_percentage_bands_have_no_labels_to_look_up():
    with pytest.raises(ValueError, match="no option labelled"):
        PERCENTAGE_BANDS.score("0%")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scores": ()},
        {"scores": (0, 50, 25)},
        {"scores": (0, 50.5)},
        {"scores": (0, 100), "labels": ("only one",)},
    ],
)
def test_scale_validation(kwargs):
    with pytest.raises(ValueError):
        OrdinalScale(name="bad", **kwargs)


def test_theme_score_is_mean_of_items_skipping_not_applicable():
    assert dmi_theme_score([0, 25, 100, 75]) == 50.0
    assert dmi_theme_score([17, None, 35]) == 26.0
    assert dmi_theme_score([100]) == 100.0


@pytest.mark.parametrize("items", [[], [None, None]])
def test_theme_score_needs_an_applicable_item(items):
    with pytest.raises(ValueError, match="at least one applicable item"):
        dmi_theme_score(items)


@pytest.mark.parametrize("bad", [-1, 100.5, float("nan"), "50"])
def test_theme_score_items_must_be_0_to_100(bad):
    with pytest.raises(ValueError, match="item score 2"):
        dmi_theme_score([50, bad])


def test_index_2016_national_averages():
    index = dmi_index({"readiness": 73, "capabilities": 40, "infrastructure": 68})
    assert index == 181 / 3
    assert round_half_up(index, 1) == 60.3
    assert round_half_up(index, 0) == 60
    assert dmi_index([73, 40, 68]) == index


def test_weighted_index():
    themes = {"readiness": 80, "capabilities": 40, "infrastructure": 60}
    weights = {"readiness": 1, "capabilities": 2, "infrastructure": 1}
    assert dmi_index(themes, weights=weights) == 55.0
    assert dmi_index(themes, weights={**weights, "unused": 5}) == 55.0


def test_index_validation():
    with pytest.raises(ValueError, match="at least one theme"):
        dmi_index({})
    with pytest.raises(ValueError, match="theme score 'readiness'"):
        dmi_index({"readiness": 120})
    with pytest.raises(ValueError, match="by theme name"):
        dmi_index([50, 60], weights={"0": 1})
    with pytest.raises(ValueError, match="no weight given for theme.*capabilities"):
        dmi_index({"readiness": 50, "capabilities": 60}, weights={"readiness": 1})
    with pytest.raises(ValueError, match="zero or more"):
        dmi_index({"readiness": 50}, weights={"readiness": -1})
    with pytest.raises(ValueError, match="must not all be zero"):
        dmi_index({"readiness": 50}, weights={"readiness": 0})
