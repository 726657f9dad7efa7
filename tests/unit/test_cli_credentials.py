"""``matcher credentials``: keygen, issue, verify, revoke, export and import from the command
line; bad input is one line and exit 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run
from tests.unit.test_vc import make_credential

SKILL = "http://data.europa.eu/esco/skill/test-forklift"


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "credential.json").write_text(make_credential().model_dump_json(),
                                              encoding="utf-8")
    (tmp_path / "links.json").write_text(json.dumps([{"outcome_index": 0, "uri": SKILL}]))
    return tmp_path


def test_issue_verify_revoke(files: Path, capsys) -> None:
    key, state = files / "issuer.jwk", files / "state.json"
    code, out, _ = run(capsys, "credentials", "keygen", "--out", str(key))
    did = json.loads(out)["did"]
    assert code == 0 and did.startswith("did:key:")
    code, _, _ = run(capsys, "credentials", "issue", str(files / "credential.json"), "--key",
                     str(key), "--links", str(files / "links.json"), "--status-list",
                     str(state), "--status-url", "https://x.example/status/1", "--out",
                     str(files / "badge.json"))
    assert code == 0
    badge = json.loads((files / "badge.json").read_text())
    assert badge["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] == SKILL
    code, _, _ = run(capsys, "credentials", "revoke", "urn:meritmatch:credential:truck-1",
                     "--status-list", str(state), "--key", str(key), "--out",
                     str(files / "list.json"))
    assert code == 0
    code, out, _ = run(capsys, "credentials", "verify", str(files / "badge.json"),
                       "--status-list", str(files / "list.json"), "--trust", f"{did}=Skolan")
    assert code == 1 and out == "REFUSED: the issuer has revoked this credential\n"


def test_verify_an_edc_and_import_it(files: Path, capsys) -> None:
    key = files / "issuer.jwk"
    run(capsys, "credentials", "keygen", "--out", str(key))
    run(capsys, "credentials", "issue", str(files / "credential.json"), "--key", str(key),
        "--format", "elm", "--links", str(files / "links.json"), "--out",
        str(files / "edc.json"))
    code, out, _ = run(capsys, "credentials", "verify", str(files / "edc.json"))
    assert code == 0 and out.startswith("verified by Söderslätts folkhögskola")
    code, out, _ = run(capsys, "credentials", "import", str(files / "edc.json"))
    assert code == 0 and json.loads(out)["links"] == [
        {"outcome_index": 0, "uri": SKILL, "state": "confirmed"}]


@pytest.mark.parametrize("args", [
    ("verify", "missing.json"),
    ("import", "{bad}"),
    ("issue", "{credential}", "--key", "{links}"),
    ("export", "{links}"),
    ("revoke", "x", "--status-list", "{links}", "--key", "{key}"),
])
def test_bad_input_is_one_line_and_exit_1(files: Path, capsys, args) -> None:
    (files / "bad.json").write_text("{")
    run(capsys, "credentials", "keygen", "--out", str(files / "k.jwk"))
    names = {"bad": files / "bad.json", "credential": files / "credential.json",
             "links": files / "links.json", "key": files / "k.jwk"}
    code, _, err = run(capsys, "credentials", *(a.format(**names) for a in args))
    assert code == 1
    assert err.startswith("matcher: error: ") and err.count("\n") == 1
