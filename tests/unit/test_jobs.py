"""Job ads (JobSearch shape), their import, and the rank / suggest / ads commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import InvalidInputError
from matcher.jobs import AdStore, demo_ads, parse_ad, read_ads
from tests.conftest import run
from tests.fixtures.esco_mini import OCC, SKILL


def ad(id_: str, text: str, **extra) -> dict:
    return {"id": id_, "headline": f"Annons {id_}", "description": {"text": text},
            "occupation": {"label": "Truckförare"}, "employer": {"name": "Lager AB"},
            "workplace_address": {"municipality": "Malmö", "region": "Skåne län"},
            "publication_date": "2026-10-01T08:00:00", **extra}


GOOD = "Vi söker en truckförare. Krav: du kan köra gaffeltruck och läsa ritningar."


def test_read_ads_json_lines_reports_bad_lines_and_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join([
        json.dumps(ad("1", GOOD)),
        "{not json",
        json.dumps({"id": "3", "headline": "Utan text"}),
        json.dumps(ad("1", GOOD)),
        "",
        json.dumps(ad("5", GOOD, extra_jobsearch_field={"kept": False})),
    ]), encoding="utf-8")
    ads, problems = read_ads(path)
    assert [a.id for a in ads] == ["1", "5"]
    assert ads[0].municipality == "Malmö" and ads[0].employer == "Lager AB"
    assert [(p.where, p.error.split(" (")[0]) for p in problems] == [
        ("line 2", "not valid JSON"), ("line 3", "description.text is missing"),
        ("line 4", "id '1' repeats the ad at line 1; the later one is skipped")]


def test_read_ads_json_list_and_jobsearch_response(tmp_path: Path) -> None:
    listed = tmp_path / "ads.json"
    listed.write_text(json.dumps([ad("a", GOOD), {"id": 7, "headline": "x",
                                                   "description": {"text": 5}}]))
    ads, problems = read_ads(listed)
    assert [a.id for a in ads] == ["a"]
    assert problems[0].where == "index 1" and "must be text" in problems[0].error
    response = tmp_path / "search.json"
    response.write_text(json.dumps({"total": {"value": 1}, "hits": [ad("b", GOOD)]}))
    assert [a.id for a in read_ads(response)[0]] == ["b"]


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"), ("[{\"id\": 1,", "not valid JSON"), (b"\xff\xfe", "not UTF-8")])
def test_unusable_ad_files_are_errors(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "ads.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InvalidInputError, match=message):
        read_ads(path)
    with pytest.raises(InvalidInputError, match="no such file"):
        read_ads(tmp_path / "missing.json")


def test_ad_round_trips_to_the_jobsearch_shape() -> None:
    parsed = parse_ad(ad("x", GOOD))
    assert parse_ad(parsed.to_dict()) == parsed
    with pytest.raises(ValueError, match="headline is missing"):
        parse_ad({"id": "x", "description": {"text": GOOD}})


def test_demo_data_meets_the_issue() -> None:
    ads = demo_ads()
    assert len(ads) >= 40 and len({a.id for a in ads}) == len(ads)
    assert all(a.region == "Skåne län" and a.municipality for a in ads)
    root = Path(__file__).resolve().parents[2] / "matcher" / "demo_data"
    catalogue = json.loads((root / "catalogue.json").read_text())
    issuers = " ".join(entry["awarding_body"]["name"] for entry in catalogue).lower()
    assert len(catalogue) >= 25
    for kind in ("folkhögskola", "komvux", "yrkeshögskola", "ab", "if metall"):
        assert kind in issuers
    candidates = json.loads((root / "candidates.json").read_text())
    assert len(candidates) == 4
    assert all(2 <= len(c["credentials"]) <= 5 for c in candidates)


# -- the commands ------------------------------------------------------------------------------


@pytest.fixture()
def candidates_file(tmp_path: Path) -> Path:
    def cred(id_: str, learner: str, outcomes: list[str]) -> dict:
        return {"id": id_, "title": "Kurs", "learner": {"id": learner},
                "awarding_body": {"name": "Komvux"}, "issuer_country": "SE",
                "issued_on": "2025-01-01", "learning_outcomes": outcomes,
                "workload": {"hours": 20}, "assessment_type": "prov",
                "participation_form": "onsite", "quality_assurance": "intern"}

    path = tmp_path / "candidates.json"
    path.write_text(json.dumps([
        {"id": "truck", "credentials": [{"credential": cred("c1", "truck", [
            "Deltagaren kan köra gaffeltruck", "Kan utföra daglig kontroll av truck"]),
            "verified": True}]},
        {"id": "reception", "credentials": [{"credential": cred("c2", "reception", [
            "Kan välkomna hotellgäster", "Kan hantera bokningar"])}],
         "self_declared": [SKILL + "customer"]},
    ]))
    return path


def test_rank_command_json_and_table(imported: Path, candidates_file: Path, capsys) -> None:
    code, out, err = run(capsys, "rank", "--occupation", OCC + "forklift-operator",
                         "--candidates", str(candidates_file))
    assert code == 0 and err == ""
    result = json.loads(out)
    assert [c["candidate_id"] for c in result["candidates"]] == ["truck", "reception"]
    assert result["candidates"][0]["matched"][0]["evidence"][0]["strength"] == "verified"
    code, out, _ = run(capsys, "rank", "--skills", f"{SKILL}reception,{SKILL}booking",
                       "--must-have", SKILL + "booking", "--candidates", str(candidates_file),
                       "--format", "table", "--top-k", "1")
    assert code == 0 and out.splitlines()[2].startswith("1. reception")
    assert out.splitlines()[0].endswith("2 candidate(s), 1 meet the must-haves")
    # No must-haves asked: the header says nothing of meeting them.
    code, out, _ = run(capsys, "rank", "--occupation", OCC + "forklift-operator",
                       "--candidates", str(candidates_file), "--format", "table")
    assert code == 0 and out.splitlines()[0].endswith("0 must-have) — 2 candidate(s)")


def test_rank_command_from_an_ad_file(imported: Path, candidates_file: Path, tmp_path: Path,
                                      capsys) -> None:
    ad_file = tmp_path / "ad.json"
    ad_file.write_text(json.dumps(ad("t1", GOOD)))
    code, out, _ = run(capsys, "rank", "--ad-file", str(ad_file), "--candidates",
                       str(candidates_file))
    assert code == 0
    result = json.loads(out)
    assert result["requirement"]["source"] == "ad"
    assert result["candidates"][0]["candidate_id"] == "truck"


@pytest.mark.parametrize("args, message", [
    (["--skills", SKILL + "nope"], "Unknown ESCO skill"),
    (["--occupation", OCC + "nope"], "Unknown ESCO occupation"),
    (["--skills", " , "], "at least one ESCO skill URI"),
    (["--skills", SKILL + "cash", "--must-have", SKILL + "nope"], "Unknown ESCO skill"),
])
def test_rank_command_bad_input_is_one_line(imported: Path, candidates_file: Path, capsys,
                                            args: list[str], message: str) -> None:
    code, out, err = run(capsys, "rank", *args, "--candidates", str(candidates_file))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err


def test_rank_command_refuses_characteristics_in_candidates(imported: Path, tmp_path: Path,
                                                            capsys) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"id": "a", "age": 52}]))
    code, _, err = run(capsys, "rank", "--skills", SKILL + "cash", "--candidates", str(path))
    assert code == 1 and "unknown field" in err and err.count("\n") == 1


def test_suggest_command(imported: Path, candidates_file: Path, capsys) -> None:
    code, _, err = run(capsys, "suggest", "--candidate", str(candidates_file))
    assert code == 1 and "--id" in err
    code, out, _ = run(capsys, "suggest", "--candidate", str(candidates_file), "--id", "truck")
    assert code == 0
    result = json.loads(out)
    assert result["ads_source"] == "demo"
    assert result["occupations"][0]["id"] == OCC + "forklift-operator"
    assert {"matched", "partial", "missing"} <= set(result["ads"][0])
    code, out, _ = run(capsys, "suggest", "--candidate", str(candidates_file), "--id", "truck",
                       "--format", "table")
    assert code == 0 and "Occupations (ESCO)" in out and "Job ads (demo)" in out
    assert "note: no job ads imported" in out
    # The table says why the order is not that of the percentages, and what each
    # suggestion rests on (as the JSON's "why" and the web page do).
    assert "order: by fit" in out and "score: the share of the job's core skills" in out
    assert result["occupations"][0]["why"] in out


def test_ads_import_keeps_good_ads_and_is_used_by_suggest(imported: Path, candidates_file: Path,
                                                          tmp_path: Path, capsys) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join([json.dumps(ad("1", GOOD)), "{broken",
                               json.dumps(ad("2", "Kan hantera bokningar och välkomna gäster.")),
                               json.dumps({**ad("3", "– – … !"), "headline": "!!"})]))
    code, out, err = run(capsys, "ads", "import", str(path))
    assert code == 0
    report = json.loads(out)
    assert (report["imported"], report["failed"], report["stored_total"]) == (2, 2, 2)
    assert "skipped line 2: not valid JSON" in err
    assert "skipped ad '3' (#2): no sentence links" in err
    stored, meta = AdStore(imported).load()
    assert {s.ad.id for s in stored} == {"1", "2"} and meta["model_id"] == "hashing-1024"
    assert SKILL + "forklift" in stored[0].requirement.uris
    assert [p.name for p in (imported / "ads").iterdir()] == ["ads.json"]  # no temp files
    code, out, _ = run(capsys, "ads", "import", str(path))
    assert json.loads(out)["replaced"] == 2
    code, out, _ = run(capsys, "suggest", "--candidate", str(candidates_file), "--id", "truck")
    result = json.loads(out)
    assert result["ads_source"] == "imported" and result["ads"][0]["id"] == "1"
    assert not any("demo" in n for n in result["notes"])
    code, _, err = run(capsys, "ads", "import", str(tmp_path / "none.jsonl"))
    assert code == 1 and "no such file" in err


def test_a_file_without_a_usable_ad_is_an_error_and_keeps_the_stored_ads(
        imported: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import that imports nothing exits 1, saying why, and leaves the stored ads alone. A
    file of which no ad can be read fails before the model or the skill index is loaded (on
    a fresh machine that load built the index for minutes before saying so)."""
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(ad("1", GOOD)))
    assert run(capsys, "ads", "import", str(good))[0] == 0
    unreadable = tmp_path / "unreadable.jsonl"
    unreadable.write_text("\n".join([json.dumps({"id": "a"}), "{broken"]))
    from matcher.engine import Engine

    def no_library(self: Engine) -> None:
        raise AssertionError("the ad library (model, index) was loaded")

    with monkeypatch.context() as patch:
        patch.setattr(Engine, "ad_library", property(no_library))
        code, out, err = run(capsys, "ads", "import", str(unreadable))
    assert code == 1 and out == ""
    assert "no usable job ad (line 1: description.text is missing" in err
    assert "and 1 more problem(s)" in err and "nothing was imported" in err
    unmapped = tmp_path / "unmapped.jsonl"
    unmapped.write_text(json.dumps({**ad("3", "– – … !"), "headline": "!!"}))
    code, out, err = run(capsys, "ads", "import", str(unmapped))
    assert code == 1 and json.loads(out)["imported"] == 0
    assert "no ad was imported" in err and "stored ads are unchanged" in err
    assert [s.ad.id for s in AdStore(imported).load()[0]] == ["1"]


def test_bad_text_and_long_fields_are_reported_with_their_field(tmp_path: Path) -> None:
    """Issue 13: a lone surrogate (JSON "\\udfff") or an over-long field skips the ad, with
    its line and field; the good ads in the file are kept."""
    path = tmp_path / "ads.jsonl"
    lines = [json.dumps(ad("good", "Du kör truck.")),
             json.dumps(ad("s", "Du kör truck.", employer={"name": "X\udfffY"})),
             json.dumps(ad("x" * 301, "Du kör truck.")),
             json.dumps(ad("h", "Du kör truck.", headline="H" * 2001))]
    path.write_text("\n".join(lines), encoding="utf-8")
    ads, problems = read_ads(path)
    assert [a.id for a in ads] == ["good"]
    assert [p.where for p in problems] == ["line 2", "line 3", "line 4"]
    assert "employer.name holds a lone UTF-16 surrogate" in problems[0].error
    assert "id has 301 characters; at most 300" in problems[1].error
    assert "headline has 2,001 characters; at most 2,000" in problems[2].error
    with pytest.raises(ValueError) as caught:
        parse_ad(ad("a", "Du kör truck.", headline="\ud800"))
    assert getattr(caught.value, "field", None) == "headline"
