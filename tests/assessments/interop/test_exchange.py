"""Exports (CSV, PDF, FHIR QuestionnaireResponse) and imports (CSV, Excel, FHIR) of real returns,
through the services the pages use, and the management commands."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from openpyxl import Workbook

from maturity.assessments.interop import exports, fhir
from maturity.assessments.interop import services as interop_services
from maturity.assessments.interop.data import export_data
from maturity.assessments.interop.fhir import ImportRefused
from maturity.assessments.interop.items import Catalogue, StoredAnswer
from maturity.assessments.interop.services import (
    answers_import_response,
    answers_import_table,
    answers_import_upload,
)
from maturity.assessments.models import Answer
from maturity.audit.models import AuditRecord
from maturity.core.vocab import CareSetting
from tests.assessments.interop.conftest import BATH, make_return, save

pytestmark = pytest.mark.django_db


def _answers(return_) -> dict:
    return dict(Answer.objects.filter(return_obj=return_).values_list("item_id", "value"))


def _versions(return_) -> dict:
    return dict(Answer.objects.filter(return_obj=return_).values_list("item_id", "version"))


@pytest.fixture
def answered(bath_return, people, wgll):
    """Bath's acute return with sf.epr fully answered (level 3), a narrative and context."""
    epr = wgll.domain("sf.epr")
    answers = {c.id: "met" for level in epr.levels if level.level <= 3 for c in level.criteria}
    answers |= {c.id: "not_met" for c in epr.level(4).criteria}
    answers |= {c.id: "na" for c in epr.level(5).criteria[:1]}
    answers |= {
        "narrative:sf.epr": '=HYPERLINK("http://evil.example") is not a formula here',
        "ctx.epr_in_place": True,
        "ctx.epr_supplier": "epic",
        "ctx.epr_go_live": "2019-10-01",
        "ctx.eprescribing_coverage": 92.5,
        "ctx.nhs_app_integrated": True,
        "ctx.nhs_app_features": ["appointments", "letters"],
    }
    save(people["contributor"], bath_return, answers)
    # A second save of one criterion: version 2, by the submitter.
    save(people["submitter"], bath_return, {epr.level(1).criteria[0].id: "na"})
    return bath_return


# --- CSV export -------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_export_content(answered, wgll):
    rows = _csv_rows(exports.return_csv(answered))
    assert list(rows[0]) == list(exports.CSV_COLUMNS)
    by_item = {row["item_id"]: row for row in rows if row["kind"] not in ("domain_level",)}
    epr = wgll.domain("sf.epr")
    first = epr.level(1).criteria[0]
    assert by_item[first.id] | {"updated_at": ""} == {
        "item_id": first.id,
        "value": "na",
        "version": "2",
        "kind": "criterion",
        "pillar_id": "smart_foundations",
        "pillar": "Ensure smart foundations",
        "domain_id": "sf.epr",
        "domain": epr.name,
        "level": "1",
        "text": first.text,
        "answer": "Not applicable",
        "updated_by": "Sam Lee",
        "updated_at": "",
        "copied_from_last_year": "",
    }
    assert by_item[first.id]["updated_at"].startswith("20")
    second = epr.level(1).criteria[1]
    assert (by_item[second.id]["value"], by_item[second.id]["version"]) == ("met", "1")
    assert by_item[second.id]["updated_by"] == "Jane Smith"
    assert by_item["ctx.epr_in_place"]["value"] == "yes"
    assert by_item["ctx.nhs_app_features"]["value"] == "appointments; letters"
    assert by_item["ctx.nhs_app_features"]["answer"] == (
        "View and manage appointments; Letters and documents"
    )
    assert by_item["ctx.eprescribing_coverage"]["answer"] == "92.5%"
    # Text a spreadsheet would run as a formula is escaped.
    assert by_item["narrative:sf.epr"]["value"].startswith("'=HYPERLINK")
    # Unanswered items are listed, empty, so the file can be filled in.
    unanswered = wgll.domain("wl.strategy").level(1).criteria[0].id
    assert (by_item[unanswered]["value"], by_item[unanswered]["version"]) == ("", "")
    assert len([r for r in rows if r["kind"] == "criterion"]) == sum(
        len(d.criteria) for d in wgll.domains_for("acute")
    )
    # Scores: the level each domain's answers give, pillar means and the overall.
    levels = {r["item_id"]: r for r in rows if r["kind"] == "domain_level"}
    assert levels["sf.epr"]["value"] == "3"
    assert levels["sf.epr"]["answer"] == f"Level 3: {epr.level(3).title}"
    pillars = {r["item_id"]: r for r in rows if r["kind"] == "pillar_score"}
    assert set(pillars) == {p.id for p in wgll.pillars if wgll.domains_in(p.id, "acute")}
    sf_domains = wgll.domains_in("smart_foundations", "acute")
    assert float(pillars["smart_foundations"]["value"]) == pytest.approx(
        (3 + len(sf_domains) - 1) / len(sf_domains)
    )
    overall = {r["item_id"]: r for r in rows if r["kind"] == "overall_score"}
    assert set(overall) == {"overall", "overall_comparable"}


def test_csv_export_imports_back_unchanged_then_with_an_edit(answered, people, wgll):
    data = exports.return_csv(answered)
    result = answers_import_table(by=people["contributor"], return_=answered, data=data)
    assert result.saved == 0
    assert result.unchanged == len(_answers(answered))
    # Edit one value in the file (keeping its version column) and import it.
    target = wgll.domain("sf.epr").level(4).criteria[0].id
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row in rows:
        if row[0] == target:
            row[1] = "met"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    before = _versions(answered)
    result = answers_import_table(
        by=people["contributor"], return_=answered, data=out.getvalue().encode("utf-8")
    )
    assert result.saved == 1
    assert _answers(answered)[target] == "met"
    assert _versions(answered) == before | {target: before[target] + 1}
    # The narrative came back without the apostrophe the export put before it.
    assert _answers(answered)["narrative:sf.epr"].startswith("=HYPERLINK")


# --- PDF export -------------------------------------------------------------------------------


def _page_text(document) -> str:
    from weasyprint.formatting_structure import boxes

    def walk(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", []) or []:
            yield from walk(child)

    return " ".join(text for page in document.pages for text in walk(page._page_box))


def test_pdf_export(answered, wgll):
    # One rendering (a 70-page acute return takes seconds): the document, then its PDF bytes.
    document = exports.render_pdf_document(export_data(answered))
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(document.pages) > 7  # the summary, then a page per pillar at least
    text = _page_text(document)
    assert BATH in text
    assert "Page 1 of" in text  # page numbers in the margin
    assert wgll.domain("sf.epr").level(3).criteria[0].text in text
    assert "Level 3: " + wgll.domain("sf.epr").level(3).title in text
    assert "Not applicable" in text and "Sam Lee" in text


def test_pdf_fetches_nothing_but_its_stylesheet(answered, people):
    save(
        people["contributor"],
        answered,
        {"narrative:ep.nhs_app": '<img src="http://127.0.0.1:9/x.png"> <b>bold</b>'},
    )
    html = exports.pdf_html(export_data(answered))
    assert "&lt;img src=" in html and "<img" not in html  # escaped: never an element
    assert f'<link rel="stylesheet" href="{exports.PDF_STYLESHEET.as_uri()}">' in html
    assert "https://" not in html.split("<body>")[0]  # no CDN
    fetcher = exports.stylesheet_only_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError, match="not fetched"):
            fetcher.fetch(url)
    sheet = fetcher.fetch(exports.PDF_STYLESHEET.as_uri())
    try:
        assert b"size: A4" in sheet.read()
    finally:
        sheet.close()


# --- FHIR QuestionnaireResponse ------------------------------------------------------------------


@pytest.mark.parametrize("care_setting", list(CareSetting))
def test_questionnaire_response_round_trip_for_every_care_setting(
    cycle, orgs, people, wgll, care_setting
):
    source = make_return(cycle, orgs["RD1"], care_setting)
    catalogue = Catalogue(wgll, care_setting)
    domain = catalogue.domains[0]
    answers = {c.id: "met" for c in domain.criteria[:3]} | {f"narrative:{domain.id}": "Done."}
    for question in catalogue.questions:
        if question.enable_when is None and question.type == "yes_no":
            answers[question.id] = True
        if question.type == "percentage" and question.enable_when is None:
            answers[question.id] = 40
    save(people["contributor"], source, answers)

    response = fhir.return_to_questionnaire_response(source)
    parsed = QuestionnaireResponse.model_validate(response)
    assert parsed.status == "in-progress"
    assert parsed.questionnaire.endswith(f"/{care_setting}/questionnaire.json|wgll-2025")

    # Into an empty return of the same care setting: the same answers.
    target = make_return(cycle, orgs["RTH"], care_setting)
    changes = fhir.questionnaire_response_to_changes(json.loads(parsed.model_dump_json()), target)
    assert {c.item_id: c.expected_version for c in changes} == {
        item: None for item in _answers(source)
    }
    save_result = answers_import_response(
        by=people["oxford"], return_=target, response=json.dumps(response).encode()
    )
    assert save_result.saved == len(_answers(source))
    assert _answers(target) == _answers(source)


def test_committed_return_is_a_completed_response(answered):
    answered.status = "committed"
    answered.save(update_fields=["status"])
    assert fhir.return_to_questionnaire_response(answered)["status"] == "completed"


def test_response_from_the_same_return_detects_later_changes(answered, people, wgll):
    response = fhir.return_to_questionnaire_response(answered)
    target = wgll.domain("sf.epr").level(2).criteria[0].id
    save(people["submitter"], answered, {target: "not_met"})  # changed after the export
    with pytest.raises(ImportRefused) as refused:
        fhir.questionnaire_response_to_changes(response, answered)
    assert refused.value.problems == [
        f"item {target!r}: changed since the response was exported (it was at version 1, it is "
        "now version 2 ('not_met')); export it again"
    ]
    # An unchanged export imports as nothing to do.
    assert (
        fhir.questionnaire_response_to_changes(
            fhir.return_to_questionnaire_response(answered), answered
        )
        == []
    )


def test_invalid_responses_are_refused_naming_the_link_id(answered, people):
    response = fhir.return_to_questionnaire_response(answered)
    response["item"][0]["item"][0]["answer"] = [{"valueBoolean": "perhaps"}]
    before = _answers(answered)
    with pytest.raises(ImportRefused) as refused:
        answers_import_response(by=people["contributor"], return_=answered, response=response)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith(
        "item 'ctx.epr_in_place' (item.0.item.0.answer.0.valueBoolean): "
    )
    with pytest.raises(ImportRefused, match="not a FHIR QuestionnaireResponse"):
        answers_import_response(
            by=people["contributor"], return_=answered, response={"resourceType": "Patient"}
        )
    with pytest.raises(ImportRefused, match="not JSON"):
        answers_import_response(by=people["contributor"], return_=answered, response=b"{nope")
    assert _answers(answered) == before


# --- bulk import ---------------------------------------------------------------------------------


def _csv_bytes(lines: list[str], *, bom: bool = False) -> bytes:
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def test_good_csv_is_saved_in_one_go_with_an_audit_record(bath_return, people, wgll):
    epr = wgll.domain("sf.epr")
    lines = ["item_id,value"] + [f"{c.id},met" for c in epr.criteria]
    lines += ["ctx.epr_in_place,yes", "ctx.epr_go_live,2018-05-01", 'narrative:sf.epr,"Done, all"']
    result = answers_import_table(
        by=people["contributor"], return_=bath_return, data=_csv_bytes(lines), filename="a.csv"
    )
    assert (result.source, result.saved) == ("CSV", len(epr.criteria) + 3)
    answers = _answers(bath_return)
    assert answers["ctx.epr_in_place"] is True
    assert answers["ctx.epr_go_live"] == "2018-05-01"
    assert answers["narrative:sf.epr"] == "Done, all"
    assert set(_versions(bath_return).values()) == {1}
    assert Answer.objects.filter(
        return_obj=bath_return, updated_by=people["contributor"]
    ).count() == (len(answers))
    imported = AuditRecord.objects.filter(action="return.answers_imported")
    assert imported.count() == 1
    assert imported.get().after["saved"] == len(answers)
    assert imported.get().after["file"] == "a.csv"
    bath_return.refresh_from_db()
    assert bath_return.status == "in_progress"


def test_every_kind_of_bad_row_is_reported_and_nothing_saved(bath_return, people, wgll):
    epr = wgll.domain("sf.epr")
    c1, c2, c3 = (c.id for c in epr.criteria[:3])
    save(people["contributor"], bath_return, {c2: "met"})
    save(people["submitter"], bath_return, {c2: "not_met"})  # now version 2
    before = (_answers(bath_return), _versions(bath_return))
    data = _csv_bytes(
        [
            "item_id,value,version",
            f"{c1},met,",
            "sf.epr.l9.z,met,",
            f"{c3},maybe,",
            f"{c1},not_met,",
            f"{c2},met,1",
            "ctx.eprescribing_coverage,120,",
            "ctx.epr_go_live,01/02/2020,",
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        answers_import_table(by=people["contributor"], return_=bath_return, data=data)
    assert refused.value.problems == [
        "line 3, column item_id: 'sf.epr.l9.z' is not an item of wgll-2025",
        "line 4, column value: 'maybe' is not one of met, not_met, na",
        f"line 5, column item_id: {c1!r} is already given on line 2",
        "line 6, column version: the saved answer is at version 2 (value 'not_met'), not "
        "version 1: someone has changed it since; export the return again and reapply your "
        "change",
        "line 7, column value: '120' is refused: a percentage must be between 0 and 100",
        "line 8, column value: '01/02/2020' is refused: enter a date as YYYY-MM-DD",
    ]
    assert (_answers(bath_return), _versions(bath_return)) == before  # nothing saved
    assert not AuditRecord.objects.filter(action="return.answers_imported").exists()


def test_a_conflict_found_while_saving_rolls_everything_back(
    bath_return, people, wgll, monkeypatch
):
    c1, c2 = (c.id for c in wgll.domain("sf.epr").criteria[:2])
    save(people["contributor"], bath_return, {c2: "met"})
    save(people["submitter"], bath_return, {c2: "not_met"})
    # As if the submitter's change landed between the check and the save.
    monkeypatch.setattr(
        interop_services,
        "stored_answers",
        lambda return_: {c2: StoredAnswer("met", 1)},
    )
    before = (_answers(bath_return), _versions(bath_return))
    with pytest.raises(ImportRefused) as refused:
        answers_import_table(
            by=people["contributor"],
            return_=bath_return,
            data=_csv_bytes(["item_id,value", f"{c1},met", f"{c2},na"]),
        )
    assert refused.value.problems == [
        "line 3, column value: changed by someone else during the import (now version 2); "
        "nothing was imported, try again"
    ]
    assert (_answers(bath_return), _versions(bath_return)) == before  # c1 was not kept either


def test_excel_and_bom_variants(bath_return, people, wgll):
    c1, c2 = (c.id for c in wgll.domain("sf.epr").criteria[:2])
    workbook = Workbook()
    sheet = workbook.active
    for row in (["item_id", "value"], [c1, "met"], ["ctx.epr_in_place", True]):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    result = answers_import_upload(
        by=people["contributor"], return_=bath_return, data=out.getvalue(), filename="a.xlsx"
    )
    assert (result.source, result.saved) == ("Excel", 2)
    result = answers_import_upload(
        by=people["contributor"],
        return_=bath_return,
        data=_csv_bytes(["item_id,value", f"{c2},not_met"], bom=True),
    )
    assert (result.source, result.saved) == ("CSV", 1)
    assert _answers(bath_return) == {c1: "met", c2: "not_met", "ctx.epr_in_place": True}


def test_only_editors_of_an_open_return_import(bath_return, people, wgll):
    data = _csv_bytes(["item_id,value", f"{wgll.domain('sf.epr').criteria[0].id},met"])
    for who in ("analyst", "oxford", "nobody"):
        with pytest.raises(PermissionDenied):
            answers_import_table(by=people[who], return_=bath_return, data=data)
    bath_return.status = "committed"
    bath_return.save(update_fields=["status"])
    with pytest.raises(ImportRefused, match="accepts no changes"):
        answers_import_table(by=people["contributor"], return_=bath_return, data=data)
    assert _answers(bath_return) == {}


# --- commands ------------------------------------------------------------------------------------


def test_import_answers_command(bath_return, people, wgll, tmp_path):
    c1 = wgll.domain("sf.epr").criteria[0].id
    good = tmp_path / "answers.csv"
    good.write_bytes(_csv_bytes(["item_id,value", f"{c1},met"]))
    out = io.StringIO()
    call_command(
        "import_answers", str(good), "--return-id", str(bath_return.pk), "--as", "jane", stdout=out
    )
    assert "Imported 1 answers from the CSV" in out.getvalue()
    assert _answers(bath_return) == {c1: "met"}

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv_bytes(["item_id,value", f"{c1},perhaps", "ctx.nope,1"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problems"):
        call_command(
            "import_answers",
            str(bad),
            "--return-id",
            str(bath_return.pk),
            "--as",
            "jane",
            stderr=err,
        )
    assert "bad.csv: line 2, column value: 'perhaps' is not one of met, not_met, na" in (
        err.getvalue()
    )
    assert "bad.csv: line 3, column item_id: 'ctx.nope' is not an item of wgll-2025" in (
        err.getvalue()
    )
    with pytest.raises(CommandError, match="nia cannot change this return"):
        call_command("import_answers", str(good), "--return-id", str(bath_return.pk), "--as", "nia")
    with pytest.raises(CommandError, match="no user"):
        call_command("import_answers", str(good), "--return-id", str(bath_return.pk), "--as", "x")


def test_export_commands(answered, tmp_path):
    call_command("export_fhir_questionnaire", "wgll-2025", "--output-dir", str(tmp_path))
    files = sorted(p.name for p in tmp_path.glob("*-questionnaire.json"))
    assert files == sorted(f"wgll-2025-{s}-questionnaire.json" for s in CareSetting)
    acute = json.loads((tmp_path / "wgll-2025-acute-questionnaire.json").read_text())
    assert acute["url"] == (
        "https://observatory.test/frameworks-fhir/wgll-2025/acute/questionnaire.json"
    )
    with pytest.raises(CommandError, match="not loaded|no framework edition"):
        call_command("export_fhir_questionnaire", "nope-2000", "acute")

    target = tmp_path / "return.csv"
    call_command("export_return", "--return-id", str(answered.pk), "--output", str(target))
    assert target.read_bytes() == exports.return_csv(answered)
    # A PDF of a primary care return, the shortest, to keep the suite quick.
    primary = make_return(answered.cycle, answered.organisation, "primary_care")
    pdf = tmp_path / "return.pdf"
    call_command(
        "export_return", "--return-id", str(primary.pk), "--format", "pdf", "--output", str(pdf)
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
    qr = tmp_path / "return.json"
    call_command(
        "export_return", "--return-id", str(answered.pk), "--format", "fhir", "--output", str(qr)
    )
    QuestionnaireResponse.model_validate_json(qr.read_text())
