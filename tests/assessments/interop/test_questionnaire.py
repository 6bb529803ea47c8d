"""FHIR Questionnaire and QuestionnaireResponse built from editions (pure: no database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from maturity.assessments.interop.items import Catalogue, NotAnsweredByLevels, StoredAnswer
from maturity.assessments.interop.questionnaire import (
    ITEM_WEIGHT,
    MAX_VALUE,
    MIN_VALUE,
    ResponseHeader,
    answers_to_response,
    edition_to_questionnaire,
    read_response,
)
from maturity.core.vocab import CareSetting

BASE = "https://observatory.test"


def _items(node: dict):
    for item in node.get("item", []):
        yield item
        yield from _items(item)
        for answer in item.get("answer", []):
            yield from _items(answer)


def _by_link(resource: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in _items(resource)}


@pytest.mark.parametrize("care_setting", list(CareSetting))
def test_questionnaire_validates_for_every_care_setting(wgll, care_setting):
    questionnaire = edition_to_questionnaire(wgll, care_setting, base_url=BASE)
    parsed = Questionnaire.model_validate(questionnaire)
    assert parsed.status == "active"
    assert parsed.version == "wgll-2025"
    assert parsed.url == f"{BASE}/frameworks-fhir/wgll-2025/{care_setting}/questionnaire.json"
    # Re-serialised by fhir.resources and parsed again: nothing is lost on the way.
    again = Questionnaire.model_validate_json(parsed.model_dump_json())
    assert len(list(_items(again.model_dump(mode="json")))) == len(list(_items(questionnaire)))

    links = _by_link(questionnaire)
    catalogue = Catalogue(wgll, care_setting)
    assert set(catalogue.by_id) <= set(links)  # every item of a return is in the questionnaire
    pillar_groups = [i["linkId"] for i in questionnaire["item"] if i["linkId"] != "context"]
    assert pillar_groups == [p.id for p in wgll.pillars if wgll.domains_in(p.id, care_setting)]
    for domain in wgll.domains_for(care_setting):
        item = links[domain.id]
        assert item["type"] == "choice" and item["readOnly"] is True
        children = [child["linkId"] for child in item["item"]]
        assert children == [c.id for c in domain.criteria] + [f"narrative:{domain.id}"]


def test_level_options_carry_item_weight(wgll):
    questionnaire = edition_to_questionnaire(wgll, "acute", base_url=BASE)
    epr = _by_link(questionnaire)["sf.epr"]
    codings = [option["valueCoding"] for option in epr["answerOption"]]
    assert [c["code"] for c in codings] == ["1", "2", "3", "4", "5"]
    weights = [
        next(e["valueDecimal"] for e in c["extension"] if e["url"] == ITEM_WEIGHT) for c in codings
    ]
    assert weights == [1, 2, 3, 4, 5]
    assert codings[2]["display"] == f"Level 3: {wgll.domain('sf.epr').level(3).title}"
    criterion = _by_link(questionnaire)[wgll.domain("sf.epr").level(2).criteria[0].id]
    assert criterion["type"] == "choice" and criterion["required"] is True
    assert [o["valueCoding"]["code"] for o in criterion["answerOption"]] == ["met", "not_met", "na"]


def test_contextual_questions_are_typed(wgll):
    links = _by_link(edition_to_questionnaire(wgll, "acute", base_url=BASE))
    assert links["ctx.epr_in_place"]["type"] == "boolean"
    assert links["ctx.epr_in_place"]["required"] is True
    assert links["ctx.virtual_ward_beds"]["required"] is False
    assert links["ctx.epr_go_live"]["type"] == "date"
    assert links["ctx.remote_monitoring_people"]["type"] == "integer"
    supplier = links["ctx.epr_supplier"]
    assert supplier["type"] == "choice" and "repeats" not in supplier
    assert [o["valueCoding"]["code"] for o in supplier["answerOption"]][:2] == [
        "oracle_health",
        "epic",
    ]
    assert links["ctx.nhs_app_features"]["repeats"] is True
    coverage = links["ctx.eprescribing_coverage"]
    assert coverage["type"] == "decimal"
    bounds = {e["url"]: e.get("valueDecimal") for e in coverage["extension"]}
    assert (bounds[MIN_VALUE], bounds[MAX_VALUE]) == (0, 100)
    # Primary care is asked about the GP system, acute is not.
    assert "ctx.gp_clinical_system" not in links
    primary = _by_link(edition_to_questionnaire(wgll, "primary_care", base_url=BASE))
    assert primary["ctx.gp_clinical_system"]["type"] == "choice"


def test_enable_when_for_dependent_questions(wgll):
    links = _by_link(edition_to_questionnaire(wgll, "acute", base_url=BASE))
    assert links["ctx.epr_go_live"]["enableWhen"] == [
        {"question": "ctx.epr_in_place", "operator": "=", "answerBoolean": True}
    ]
    assert "enableBehavior" not in links["ctx.epr_go_live"]
    assert "enableWhen" not in links["ctx.epr_in_place"]
    dependent = {q.id for q in wgll.questions_for("acute") if q.enable_when}
    assert dependent == {link for link, item in links.items() if "enableWhen" in item}
    assert len(dependent) >= 5


def test_enable_when_operators_and_unreachable_questions(wgll_more_questions):
    questionnaire = edition_to_questionnaire(wgll_more_questions, "acute", base_url=BASE)
    Questionnaire.model_validate(questionnaire)
    links = _by_link(questionnaire)
    not_equals = links["ctx.epr_replacement_reason"]
    assert not_equals["type"] == "string"
    assert not_equals["enableBehavior"] == "all"
    assert [(c["operator"], c.get("answerBoolean")) for c in not_equals["enableWhen"]] == [
        ("exists", True),
        ("!=", None),
    ]
    assert not_equals["enableWhen"][1]["answerCoding"]["code"] == "none"
    in_list = links["ctx.epr_big_supplier_note"]
    assert in_list["enableBehavior"] == "any"
    assert [c["answerCoding"]["code"] for c in in_list["enableWhen"]] == ["epic", "oracle_health"]
    assert {c["operator"] for c in in_list["enableWhen"]} == {"="}
    # Its trigger is not asked of acute returns, so it can never be asked: left out.
    assert "ctx.ambulance_only_followup" not in links
    ambulance = _by_link(edition_to_questionnaire(wgll_more_questions, "ambulance", base_url=BASE))
    assert ambulance["ctx.ambulance_only_followup"]["enableWhen"][0]["question"] == (
        "ctx.ambulance_only"
    )


def test_draft_edition_is_a_draft_questionnaire(editions):
    draft = editions["wgll-2026-draft"]
    questionnaire = edition_to_questionnaire(draft, "acute", base_url=BASE)
    assert Questionnaire.model_validate(questionnaire).status == "draft"


def test_editions_without_levels_are_refused(editions):
    other = next(e for e in editions.values() if e.scoring_model != "cumulative_levels")
    with pytest.raises(NotAnsweredByLevels):
        edition_to_questionnaire(
            other, (other.care_settings or list(CareSetting))[0], base_url=BASE
        )


def _answers(wgll) -> dict[str, StoredAnswer]:
    epr = wgll.domain("sf.epr")
    answers = {c.id: StoredAnswer("met", 2) for c in epr.criteria}
    answers[epr.level(5).criteria[0].id] = StoredAnswer("not_met", 1)
    answers[epr.level(4).criteria[0].id] = StoredAnswer("na", 3)
    answers["narrative:sf.epr"] = StoredAnswer("Live across all wards since 2020.", 1)
    answers["narrative:wl.strategy"] = StoredAnswer("Board approved the strategy.", 4)
    answers.update(
        {
            "ctx.epr_in_place": StoredAnswer(True, 1),
            "ctx.epr_supplier": StoredAnswer("epic", 1),
            "ctx.epr_go_live": StoredAnswer("2020-03-01", 2),
            "ctx.eprescribing_coverage": StoredAnswer(87.5, 1),
            "ctx.nhs_app_integrated": StoredAnswer(True, 1),
            "ctx.nhs_app_features": StoredAnswer(["appointments", "messages"], 1),
            "ctx.remote_monitoring_in_use": StoredAnswer(True, 1),
            "ctx.remote_monitoring_people": StoredAnswer(1200, 1),
        }
    )
    return answers


def _response(wgll, answers, *, committed=False, base=BASE) -> dict:
    return answers_to_response(
        wgll,
        "acute",
        answers=answers,
        domain_levels={"sf.epr": 3, "wl.strategy": 1},
        header=ResponseHeader(
            return_id=42,
            committed=committed,
            organisation_ods="RD1",
            organisation_name="ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST",
            authored=dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC),
        ),
        base_url=base,
    )


def test_response_validates_and_round_trips(wgll):
    answers = _answers(wgll)
    response = _response(wgll, answers)
    parsed = QuestionnaireResponse.model_validate(response)
    assert parsed.status == "in-progress"
    assert parsed.questionnaire == (
        f"{BASE}/frameworks-fhir/wgll-2025/acute/questionnaire.json|wgll-2025"
    )
    assert _response(wgll, answers, committed=True)["status"] == "completed"
    links = _by_link(response)
    assert links["ctx.epr_in_place"]["answer"] == [{"valueBoolean": True}]
    assert links["ctx.eprescribing_coverage"]["answer"] == [{"valueDecimal": 87.5}]
    assert links["ctx.remote_monitoring_people"]["answer"] == [{"valueInteger": 1200}]
    assert links["ctx.epr_go_live"]["answer"] == [{"valueDate": "2020-03-01"}]
    assert [a["valueCoding"]["code"] for a in links["ctx.nhs_app_features"]["answer"]] == [
        "appointments",
        "messages",
    ]
    level = links["sf.epr"]["answer"][0]
    assert level["valueCoding"]["code"] == "3"
    assert level["valueCoding"]["extension"][0] == {"url": ITEM_WEIGHT, "valueDecimal": 3}

    reading = read_response(json.loads(parsed.model_dump_json()), wgll, "acute", base_url=BASE)
    assert reading.problems == []
    assert reading.return_id == 42
    assert {a.item_id: a.value for a in reading.answers} == {
        item: stored.value for item, stored in answers.items()
    }
    assert {a.item_id: a.version for a in reading.answers} == {
        item: stored.version for item, stored in answers.items()
    }


def test_response_leaves_out_questions_not_asked(wgll):
    answers = _answers(wgll)
    answers["ctx.epr_in_place"] = StoredAnswer(False, 2)
    links = _by_link(_response(wgll, answers))
    assert "ctx.epr_go_live" not in links
    assert "ctx.epr_supplier" in links


def test_response_from_another_deployment_is_read_without_versions_owner(wgll):
    response = _response(wgll, _answers(wgll), base="https://elsewhere.example")
    reading = read_response(response, wgll, "acute", base_url=BASE)
    assert reading.problems == []
    assert reading.return_id is None  # not one of our returns


def test_response_problems_name_the_link_id(wgll):
    response = _response(wgll, _answers(wgll))
    links = _by_link(response)
    links["ctx.eprescribing_coverage"]["answer"] = [{"valueDecimal": 140}]
    links["ctx.epr_in_place"]["answer"] = [{"valueString": "yes"}]
    criterion = wgll.domain("sf.epr").level(1).criteria[0].id
    links[criterion]["answer"][0]["valueCoding"]["code"] = "maybe"
    links["ctx.epr_supplier"]["answer"].append({"valueCoding": {"code": "tpp"}})
    links["narrative:sf.epr"]["linkId"] = "narrative:sf.nonexistent"
    response["item"][0]["item"].append({"linkId": "ctx.gp_clinical_system", "answer": []})
    reading = read_response(response, wgll, "acute", base_url=BASE)
    assert reading.problems == [
        "item 'ctx.epr_in_place': takes valueBoolean, not valueString",
        "item 'ctx.epr_supplier': has 2 answers; it takes one",
        "item 'ctx.eprescribing_coverage': 140 is refused: a percentage must be between 0 and 100",
        "item 'ctx.gp_clinical_system': 'ctx.gp_clinical_system' is not asked of acute returns",
        f"item {criterion!r}: 'maybe' is not one of met, not_met, na",
        "item 'narrative:sf.nonexistent': 'narrative:sf.nonexistent' is not an item of wgll-2025",
    ]


def test_response_for_another_questionnaire_is_refused(wgll):
    response = _response(wgll, _answers(wgll))
    reading = read_response(response, wgll, "mental_health", base_url=BASE)
    assert reading.answers == []
    assert len(reading.problems) == 1
    assert reading.problems[0].startswith("questionnaire: the response answers ")
    response["questionnaire"] = response["questionnaire"].replace("|wgll-2025", "|wgll-2024")
    assert read_response(response, wgll, "acute", base_url=BASE).problems


def test_fhir_resources_refuses_a_broken_response(wgll):
    response = _response(wgll, _answers(wgll))
    del response["item"][0]["item"][0]["linkId"]
    with pytest.raises(ValidationError, match="linkId"):
        QuestionnaireResponse.model_validate(response)
    response = _response(wgll, _answers(wgll))
    response["item"][0]["item"][0]["answer"][0]["valueString"] = "yes"
    with pytest.raises(ValidationError, match="valueBoolean"):
        QuestionnaireResponse.model_validate(response)
