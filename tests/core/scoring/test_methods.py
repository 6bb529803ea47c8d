import pytest

import maturity.core.scoring as scoring
from maturity.core.scoring import (
    SCORING_VERSION,
    AggregationMethod,
    StageSpec,
    cqc_rating,
    describe_method,
    describe_methods,
    gdhm_phase,
    score_return,
    stage_reached,
)


def test_every_method_has_a_name_title_rule_and_version():
    methods = describe_methods()
    assert methods
    for method in methods:
        assert set(method) == {"name", "title", "rule", "kind", "kind_title", "scoring_version"}
        assert method["name"] and method["title"] and method["kind_title"]
        assert len(method["rule"]) > 60
        assert method["scoring_version"] == SCORING_VERSION


def test_method_names_are_unique():
    names = [m["name"] for m in describe_methods()]
    assert len(names) == len(set(names))


def test_every_name_recorded_with_a_figure_is_described():
    names = {m["name"] for m in describe_methods()}
    recorded = {
        score_return([], {}).method,
        score_return([], {}).rounding,
        stage_reached([StageSpec(0, ())], {}).method,
        gdhm_phase([]).method,
        cqc_rating([3]).method,
        *(m.value for m in AggregationMethod),
    }
    assert recorded <= names
    assert {
        "half_even_1dp",
        "dmi_lookup",
        "dmi_scale",
        "dmi_theme_mean",
        "dmi_index",
        "wgll_pillar_mean",
        "wgll_overall_mean",
        "wgll_overall_comparable",
    } <= names


def test_describe_method_by_name():
    assert describe_method("half_up_1dp")["title"] == "Round half up, one decimal place"
    assert "2.25 becomes 2.3" in describe_method("half_up_1dp")["rule"]
    with pytest.raises(KeyError, match="median"):
        describe_method("median")


def test_public_api_is_exported():
    for name in scoring.__all__:
        assert hasattr(scoring, name), name
    assert callable(scoring.lookup)


def test_modules_state_their_rules():
    from maturity.core.scoring import aggregation, cqc, dmi, phases, rounding, stages, wgll

    for module in (scoring, aggregation, cqc, dmi, phases, rounding, stages, wgll):
        assert module.__doc__ and len(module.__doc__) > 200, module.__name__
