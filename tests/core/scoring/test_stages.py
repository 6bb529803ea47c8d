import pytest

from maturity.core.scoring import Answer, StageResult, StageSpec, stage_reached

MET, NOT_MET, NA = Answer.MET, Answer.NOT_MET, Answer.NOT_APPLICABLE

# EMRAM style: every capability of a stage must be live (no threshold).
EMRAM = [
    StageSpec(0, ()),
    StageSpec(1, ("lab", "pharmacy", "radiology")),
    StageSpec(2, ("cdr", "vocabulary")),
    StageSpec(3, ("nursing_docs", "emar")),
    StageSpec(4, ("cpoe", "cds2")),
]

# INFRAM style: at least 70% of a stage's capabilities.
INFRAM = [
    StageSpec(0, ()),
    StageSpec(1, tuple(f"s1.{i}" for i in range(10)), threshold=0.7),
    StageSpec(2, tuple(f"s2.{i}" for i in range(10)), threshold=0.7),
]


def _met(*ids, **others):
    answers = dict.fromkeys(ids, MET)
    answers.update(others)
    return answers


def _infram(s1_met: int, s2_met: int, **others) -> dict[str, Answer]:
    answers = {f"s1.{i}": MET if i < s1_met else NOT_MET for i in range(10)}
    answers |= {f"s2.{i}": MET if i < s2_met else NOT_MET for i in range(10)}
    answers.update(others)
    return answers


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, StageResult(0, 0, 9, 0.0, 0), id="nothing-floor"),
        pytest.param(_met("lab", "pharmacy"), StageResult(0, 2, 9, 2 / 3, 2), id="partial-1"),
        pytest.param(
            _met("lab", "pharmacy", "radiology"), StageResult(1, 3, 9, 0.0, 0), id="stage-1"
        ),
        pytest.param(
            _met("lab", "pharmacy", "radiology", "cdr", "vocabulary", "cpoe", "cds2"),
            StageResult(2, 7, 9, 0.0, 2),
            id="stage-4-capabilities-do-not-count-without-3",
        ),
        pytest.param(
            _met("lab", "pharmacy", "radiology", "cdr", "vocabulary", "nursing_docs", "emar"),
            StageResult(3, 7, 9, 0.0, 0),
            id="stage-3",
        ),
        pytest.param(
            _met(
                "lab",
                "pharmacy",
                "radiology",
                "cdr",
                "vocabulary",
                "nursing_docs",
                "emar",
                "cpoe",
                "cds2",
            ),
            StageResult(4, 9, 9, None, 0),
            id="top-stage",
        ),
        pytest.param(
            _met("lab", "pharmacy", "cdr", "vocabulary", radiology=NA),
            StageResult(2, 4, 8, 0.0, 0),
            id="na-leaves-the-denominator",
        ),
        pytest.param(
            _met("lab", "pharmacy", "radiology", "cdr", nursing_docs=NA, emar=MET),
            StageResult(1, 5, 8, 0.5, 2),
            id="progress-to-next",
        ),
        pytest.param(
            _met("lab", "pharmacy", "radiology", "cdr", "vocabulary", nursing_docs=NA, emar=NA),
            StageResult(3, 5, 7, 0.0, 0),
            id="all-na-stage-passes",
        ),
    ],
)
def test_emram_style_stage(answers, expected):
    assert stage_reached(EMRAM, answers) == expected


@pytest.mark.parametrize(
    ("s1", "s2", "stage", "progress"),
    [
        (6, 10, 0, 0.6),  # 60% of stage 1: not reached, so stage 2 does not count
        (7, 0, 1, 0.0),  # exactly 70% reaches the stage
        (7, 6, 1, 0.6),
        (7, 7, 2, None),
        (10, 7, 2, None),
    ],
)
def test_infram_style_threshold(s1, s2, stage, progress):
    result = stage_reached(INFRAM, _infram(s1, s2))
    assert result.stage == stage
    assert result.progress_to_next == progress
    assert result.capabilities_met == s1 + s2
    assert result.capabilities_total == 20


def test_threshold_counts_only_applicable_capabilities():
    # 7 of 9 applicable (78%) passes; 6 of 9 (67%) does not.
    assert stage_reached(INFRAM, _infram(7, 0, **{"s1.9": NA})).stage == 1
    assert stage_reached(INFRAM, _infram(6, 0, **{"s1.9": NA})).stage == 0


def test_extra_capabilities_above_the_stage_reached():
    result = stage_reached(INFRAM, _infram(6, 9))
    assert (result.stage, result.extra_capabilities_above) == (0, 15)


def test_stage_order_in_the_declaration_does_not_matter():
    answers = _met("lab", "pharmacy", "radiology", "cdr", "vocabulary")
    assert stage_reached(list(reversed(EMRAM)), answers) == stage_reached(EMRAM, answers)


def test_lowest_stage_is_the_floor_even_with_capabilities():
    model = [StageSpec(1, ("a",)), StageSpec(2, ("b",))]
    assert stage_reached(model, {}).stage == 1
    assert stage_reached(model, {"b": MET}).stage == 2


def test_stage_numbers_need_not_be_consecutive():
    model = [StageSpec(0, ()), StageSpec(5, ("a",)), StageSpec(7, ("b",))]
    assert stage_reached(model, {"a": MET}).stage == 5
    assert stage_reached(model, {"b": MET}).stage == 0
    assert stage_reached(model, {"a": MET, "b": MET}).stage == 7


def test_answers_outside_the_model_are_ignored():
    assert stage_reached(EMRAM, {"unrelated": "nonsense"}).stage == 0


def test_a_bad_answer_names_the_capability():
    with pytest.raises(ValueError, match="'lab'"):
        stage_reached(EMRAM, {"lab": "live"})


def test_requirement_met_ignores_earlier_stages():
    assert EMRAM[2].requirement_met({"cdr": MET, "vocabulary": MET})
    assert not EMRAM[2].requirement_met({"cdr": MET})
    assert EMRAM[2].requirement_met({"cdr": MET, "vocabulary": NA})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stage": -1, "capabilities": ()},
        {"stage": 1.0, "capabilities": ()},
        {"stage": 1, "capabilities": "abc"},
        {"stage": 1, "capabilities": ("a", "a")},
        {"stage": 1, "capabilities": ("a",), "threshold": 0},
        {"stage": 1, "capabilities": ("a",), "threshold": 1.2},
        {"stage": 1, "capabilities": ("a",), "threshold": 70},
        {"stage": 1, "capabilities": ("a",), "threshold": "0.7"},
    ],
)
def test_stage_spec_validation(kwargs):
    with pytest.raises(ValueError):
        StageSpec(**kwargs)


def test_threshold_of_one_means_all():
    model = [StageSpec(0, ()), StageSpec(1, ("a", "b"), threshold=1.0)]
    assert stage_reached(model, {"a": MET}).stage == 0
    assert stage_reached(model, {"a": MET, "b": MET}).stage == 1


def test_model_validation():
    with pytest.raises(ValueError, match="at least one stage"):
        stage_reached([], {})
    with pytest.raises(ValueError, match="stage 1 is declared twice"):
        stage_reached([StageSpec(1, ("a",)), StageSpec(1, ("b",))], {})
    with pytest.raises(ValueError, match="'a' is listed in more than one stage"):
        stage_reached([StageSpec(0, ("a",)), StageSpec(1, ("a",))], {})


def test_capabilities_are_stored_as_a_tuple():
    assert StageSpec(1, ["a", "b"]).capabilities == ("a", "b")  # type: ignore[arg-type]
    assert stage_reached(EMRAM, {}).method == "stage_cumulative"
