"""Releases: provisional then final, corrections as new versions, immutable files, open data with a
Frictionless data package, suppression, visibility and the publish form."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from maturity.accounts.models import Membership, Role, User
from maturity.audit.models import AuditRecord
from maturity.benchmarks.models import Release, ReleaseFile, ReleaseImmutable
from maturity.benchmarks.opendata import TABLES
from maturity.benchmarks.services import ReleaseError, publish_release
from maturity.results.models import PublishedResult

from .world import TODAY

pytestmark = pytest.mark.django_db


def publish(**kwargs) -> Release:
    options = {"by": None, "source": "published", "year": 2025, "stage": "final", "today": TODAY}
    options.update(kwargs)
    return publish_release(**options)


def files(release: Release) -> dict[str, bytes]:
    return {f.name: bytes(f.content) for f in release.files.all()}


def test_a_release_has_csv_parquet_a_data_package_and_methods(world):
    release = publish(note="NHS England's published results")
    found = files(release)
    expected = {f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {
        "datapackage.json",
        "methods.md",
    }
    assert set(found) == expected
    assert release.version == 1 and release.stage == "final" and not release.is_correction
    assert release.row_counts["results"] == len(world.rows_2025)
    for file in release.files.all():
        assert file.sha256 == hashlib.sha256(bytes(file.content)).hexdigest()


def _typed(value: str, field: dict):
    if value == "":
        return None
    kind = field["type"]
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        assert value in ("true", "false")
        return value == "true"
    return value


def test_every_table_follows_its_schema_in_csv_and_parquet(world):
    release = publish()
    found = files(release)
    package = json.loads(found["datapackage.json"])
    assert package["profile"] == "data-package"
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["release"]["version"] == 1
    resources = {r["name"]: r for r in package["resources"]}
    for resource in package["resources"]:
        content = found[resource["path"]]
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    for table in TABLES:
        schema = resources[table.name]["schema"]
        assert resources[f"{table.name}-parquet"]["schema"] == schema
        fields = {f["name"]: f for f in schema["fields"]}
        rows = list(csv.DictReader(io.StringIO(found[f"{table.name}.csv"].decode("utf-8"))))
        assert rows and list(rows[0]) == list(fields)
        keys = set()
        for row in rows:
            typed = {name: _typed(row[name], fields[name]) for name in fields}
            for name, field in fields.items():
                if field.get("constraints", {}).get("required"):
                    assert typed[name] is not None, (table.name, name)
            key = tuple(typed[k] for k in schema["primaryKey"])
            assert key not in keys, (table.name, key)
            keys.add(key)
        arrow = pq.read_table(io.BytesIO(found[f"{table.name}.parquet"]))
        assert arrow.column_names == list(fields)
        assert arrow.num_rows == len(rows)
        expected_types = {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
        }
        for name, field in fields.items():
            assert arrow.schema.field(name).type == expected_types[field["type"]]


def test_groups_of_fewer_than_five_are_suppressed_in_open_data(world):
    # Leave one ICB with three providers, so its aggregates and funnel points are suppressed.
    small = sorted(code for code, icb in world.trust_icb.items() if icb == "QKK")
    kept = {c for c in small[:2]}
    PublishedResult.objects.filter(year=2025, organisation__ods_code__in=set(small) - kept).delete()
    found = files(publish())
    benchmarks = list(csv.DictReader(io.StringIO(found["benchmarks.csv"].decode())))
    hidden = [r for r in benchmarks if r["suppressed"] == "true"]
    assert hidden  # e.g. London's one ambulance trust
    for row in hidden:
        assert row["n"] == row["median"] == row["mean"] == row["p10"] == row["maximum"] == ""
    assert all(int(r["n"]) >= 5 for r in benchmarks if r["suppressed"] == "false")
    for name, value in (
        ("aggregates", "value"),
        ("funnel", "proportion"),
        ("percentiles", "percentile"),
    ):
        rows = list(csv.DictReader(io.StringIO(found[f"{name}.csv"].decode())))
        hidden = [r for r in rows if r["suppressed"] == "true"]
        assert hidden, name
        assert all(r[value] == "" for r in hidden), name
        assert all(
            r[value] != "" for r in rows if r["suppressed"] == "false" and name != "percentiles"
        ), name
    aggregates = list(csv.DictReader(io.StringIO(found["aggregates.csv"].decode())))
    qkk = [r for r in aggregates if r["area_code"] == "QKK" and r["geography"] == "collection"]
    assert qkk and all(r["suppressed"] == "true" and r["rank"] == "" for r in qkk)


def test_results_are_published_unrounded_with_their_source(world):
    found = files(publish())
    rows = {
        (r["ods_code"], r["care_setting"]): r
        for r in csv.DictReader(io.StringIO(found["results.csv"].decode()))
    }
    for key, values in world.rows_2025.items():
        if values.get("overall") is not None:
            assert float(rows[key]["overall"]) == values["overall"]
        assert rows[key]["is_demonstration"] == "false"
        assert "NHS England" in rows[key]["source_note"]


def test_a_correction_is_a_new_version_with_a_note_never_an_edit(world):
    first = publish()
    with pytest.raises(ReleaseError, match="needs a note"):
        publish()
    result = PublishedResult.objects.filter(year=2025, care_setting="acute").first()
    result.overall = 4.5
    result.save()
    correction = publish(note="Corrected one trust's overall score")
    assert (correction.version, correction.is_correction, correction.supersedes_id) == (
        2,
        True,
        first.pk,
    )
    first.refresh_from_db()
    old = {
        (r["ods_code"], r["care_setting"]): r
        for r in csv.DictReader(io.StringIO(files(first)["results.csv"].decode()))
    }
    new = {
        (r["ods_code"], r["care_setting"]): r
        for r in csv.DictReader(io.StringIO(files(correction)["results.csv"].decode()))
    }
    key = (result.organisation.ods_code, "acute")
    assert float(new[key]["overall"]) == 4.5
    assert float(old[key]["overall"]) != 4.5  # the first version is as it was published
    with pytest.raises(ReleaseError, match="Nothing has changed"):
        publish(note="again")
    with pytest.raises(ReleaseError, match="already has a final release"):
        publish(stage="provisional")


def test_releases_and_their_files_cannot_be_changed_or_deleted(world):
    release = publish()
    release.note = "edited"
    with pytest.raises(ReleaseImmutable):
        release.save()
    with pytest.raises(ReleaseImmutable):
        release.delete()
    file = ReleaseFile.objects.filter(release=release).first()
    file.content = b"tampered"
    with pytest.raises(ReleaseImmutable):
        file.save()


def test_publishing_is_audited(world, analyst):
    release = publish(by=analyst, note="First release")
    record = AuditRecord.objects.get(action="release.published")
    assert record.actor_id == analyst.pk
    assert record.after["version"] == release.version
    assert record.after["files"]["results.csv"] == release.files.get(name="results.csv").sha256


def test_returns_are_released_provisionally_before_the_final_release(demo_world):
    with pytest.raises(ReleaseError, match="provisionally first"):
        publish(source="demonstration", stage="final")
    provisional = publish(source="demonstration", stage="provisional")
    with pytest.raises(ReleaseError, match="Nothing has changed"):
        publish(source="demonstration", stage="provisional")
    final = publish(source="demonstration", stage="final")
    assert (provisional.version, final.version, final.is_correction) == (1, 2, False)
    assert final.is_demonstration
    results = files(final)["results.csv"].decode()
    assert "true" in {r["is_demonstration"] for r in csv.DictReader(io.StringIO(results))}
    assert "Demonstration data" in json.loads(files(final)["datapackage.json"])["description"]


def test_the_demo_publishes_its_first_releases_once(demo_world):
    from maturity.benchmarks.services import prepare_demo_benchmarks

    published = prepare_demo_benchmarks(today=TODAY)
    assert {(r.dataset, r.stage, r.version) for r in published} == {
        ("published-2024", "final", 1),
        ("published-2025", "final", 1),
        ("demonstration-2025", "provisional", 1),
    }
    assert all(r.files.filter(name="datapackage.json").exists() for r in published)
    assert prepare_demo_benchmarks(today=TODAY) == []  # idempotent: nothing new the second time
    assert Release.objects.count() == 3


def test_only_national_analysts_publish(world):
    user = User.objects.create_user("someone", password="a-long-test-password-1")
    with pytest.raises(ReleaseError, match="Only national analysts"):
        publish(by=user)
    with pytest.raises(ReleaseError, match="no published results for 1999"):
        publish(year=1999)


def test_provisional_releases_are_not_public(demo_world, client, analyst):
    release = publish(source="demonstration", stage="provisional")
    page = f"/releases/{release.dataset}/v{release.version}/"
    assert client.get(page).status_code == 404
    assert client.get(page + "results.csv").status_code == 404
    assert release.dataset not in client.get("/releases/").content.decode()
    # A member of an organisation sees its own rows (right of reply), not the files.
    code, setting = next(iter(demo_world.rows_2025))
    member = User.objects.create_user("member", password="a-long-test-password-1")
    Membership.objects.create(
        user=member,
        organisation=demo_world.trusts.get(code) or demo_world.icbs[code],
        role=Role.CONTRIBUTOR,
    )
    client.force_login(member)
    response = client.get(page)
    assert response.status_code == 200
    assert "Your organisations" in response.content.decode()
    assert client.get(page + "results.csv").status_code == 404
    client.force_login(analyst)
    assert client.get(page + "results.csv").status_code == 200


def test_a_member_sees_only_their_own_rows_of_a_provisional_release(demo_world, client):
    release = publish(source="demonstration", stage="provisional")
    page = f"/releases/{release.dataset}/v{release.version}/"
    codes = sorted(code for code, _ in demo_world.rows_2025)
    own, other = codes[0], codes[1]
    organisations = {**demo_world.icbs, **demo_world.trusts}
    member = User.objects.create_user("member", password="a-long-test-password-1")
    Membership.objects.create(user=member, organisation=organisations[own], role=Role.SUBMITTER)
    client.force_login(member)
    content = html.unescape(client.get(page).content.decode())
    assert "Provisional figures of your organisations" in content
    assert organisations[own].name in content
    # Another organisation's provisional figures stay hidden.
    assert organisations[other].name not in content
    api = client.get(f"/api/v1/benchmarks/releases/{release.dataset}/{release.version}").json()
    assert api["files"] == []  # no files before the final release


def test_provisional_releases_are_not_in_the_public_api(demo_world, client, analyst):
    release = publish(source="demonstration", stage="provisional")
    url = f"/api/v1/benchmarks/releases/{release.dataset}/{release.version}"
    assert client.get(url).status_code == 404
    assert release.dataset not in {
        r["dataset"] for r in client.get("/api/v1/benchmarks/releases").json()
    }
    client.force_login(analyst)
    found = client.get(url)
    assert found.status_code == 200 and found.json()["stage"] == "provisional"
    assert {f["name"] for f in found.json()["files"]} >= {"results.csv", "datapackage.json"}


def test_final_release_pages_files_and_methods_are_public(world, client):
    release = publish(note="First")
    page = client.get(f"/releases/{release.dataset}/v1/")
    assert page.status_code == 200
    assert "datapackage.json" in page.content.decode()
    data = client.get(f"/releases/{release.dataset}/v1/datapackage.json")
    assert data.status_code == 200 and data["Content-Type"] == "application/json"
    assert data["X-Content-SHA256"] == release.files.get(name="datapackage.json").sha256
    assert client.get(f"/releases/{release.dataset}/v1/nothing.csv").status_code == 404
    methods = client.get(f"/releases/{release.dataset}/v1/methods/").content.decode()
    assert "Funnel plot limits for proportions" in methods  # from the statistics library
    assert "Mean weighted by population served" in methods  # from the scoring library
    assert "Peer groups" in methods  # the benchmark rules
    api = client.get("/api/v1/benchmarks/releases").json()
    assert api[0]["dataset"] == "published-2025" and api[0]["stage"] == "final"
    assert {f["name"] for f in api[0]["files"]} >= {"results.csv", "datapackage.json"}
    detail = client.get("/api/v1/benchmarks/releases/published-2025/1").json()
    assert detail["version"] == 1 and detail["note"] == "First"
    assert client.get("/api/v1/benchmarks/releases/published-2025/9").status_code == 404


def test_publish_form_for_analysts_only(world, client, analyst):
    assert client.get("/releases/publish/").status_code == 302  # sign in first
    user = User.objects.create_user("viewer", password="a-long-test-password-1")
    client.force_login(user)
    assert client.get("/releases/publish/").status_code == 403
    client.force_login(analyst)
    assert client.get("/releases/publish/").status_code == 200
    bad = client.post("/releases/publish/", {"dataset": "nothing-1", "stage": "sometime"})
    assert bad.status_code == 400
    assert "Choose the data set to publish." in bad.content.decode()
    good = client.post(
        "/releases/publish/", {"dataset": "published-2025", "stage": "final", "note": "First"}
    )
    assert good.status_code == 302 and good["Location"] == "/releases/published-2025/v1/"
    assert Release.objects.get().published_by == analyst
