"""The service's commands of ``matcher`` (api/cli.py, plugged in through an entry point):
keys, db upgrade, and the messages when the service cannot run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run


def test_keys_create_list_revoke_and_db_upgrade(home: Path, capsys) -> None:
    code, out, err = run(capsys, "keys", "create", "--role", "employer", "--name", "Acme HR")
    assert code == 0 and "shown only now" in err
    created = json.loads(out)
    assert created["role"] == "employer" and created["key"].startswith("mm_")
    code, out, _ = run(capsys, "keys", "list")
    listed = json.loads(out)
    assert [(k["id"], k["name"], k["revoked"]) for k in listed] == [
        (created["id"], "Acme HR", False)]
    assert "key" not in listed[0]
    assert run(capsys, "keys", "revoke", str(created["id"]))[0] == 0
    assert json.loads(run(capsys, "keys", "list")[1])[0]["revoked"] is True
    code, _, err = run(capsys, "keys", "revoke", "999")
    assert code == 1 and err == "matcher: error: no API key with id 999; `matcher keys list` " \
                                "shows them\n"
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and json.loads(out)["revision"]
    assert (home / "meritmatch.db").exists()  # SQLite under MATCHER_HOME by default


def test_service_settings_keep_their_environment_names(home: Path, tmp_path: Path, capsys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import ServiceSettings

    monkeypatch.setenv("MATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    monkeypatch.setenv("MATCHER_MAX_BODY_BYTES", "5000")
    monkeypatch.setenv("MATCHER_THREADS", "3")
    settings = ServiceSettings()
    assert (settings.max_body_bytes, settings.threads) == (5000, 3)
    assert run(capsys, "db", "upgrade")[0] == 0
    assert (tmp_path / "elsewhere.db").exists() and not (home / "meritmatch.db").exists()
    monkeypatch.setenv("MATCHER_THREADS", "0")
    code, out, err = run(capsys, "keys", "list")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("matcher: error: MATCHER_THREADS: ")


def test_a_bad_database_url_is_one_line(home: Path, capsys,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_DATABASE_URL", "mysql://nobody@localhost/db")
    code, _, err = run(capsys, "db", "upgrade")
    assert code == 1 and err.count("\n") == 1 and "not supported" in err


def test_a_missing_service_dependency_is_named_with_the_install_command(
        home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.cli

    monkeypatch.setattr(api.cli, "REQUIRES", (*api.cli.REQUIRES, "no_such_module_here"))
    code, out, err = run(capsys, "serve", "--workers", "2")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "(missing no_such_module_here)" in err
    assert "pip install 'meritmatch[service]'" in err


def test_db_title_names_fills_credentials_stored_before_they_were_kept(imported: Path,
                                                                       capsys) -> None:
    """Rows added before migration 0005 have no title names (the migration cannot run the
    model); ``matcher db title-names`` works them out, logs the holders' changes so running
    servers rebuild those profiles, and leaves nothing to do on a second run."""
    from fastapi.testclient import TestClient
    from sqlalchemy import null, select, update

    from api.main import create_app
    from api.settings import ServiceSettings
    from api.store.models import HeldCredential
    from matcher import Engine, Settings
    from tests.api.conftest import FORKLIFT_OPERATOR, credential_doc

    app = create_app(engine=Engine(Settings(), show_progress=False), settings=ServiceSettings())
    with TestClient(app) as client:
        store = client.app.state.store
        _, secret = store.create_key("job_seeker", "seeker", owner="seeker")
        h = {"Authorization": f"Bearer {secret}"}
        assert client.post("/v1/me/candidate", json={"consent": True},
                           headers=h).status_code == 201
        doc = credential_doc() | {"title": "Truckförare – grundkurs"}
        r = client.post("/v1/me/candidate/credentials", json={"credential": doc}, headers=h)
        assert r.status_code == 201, r.text
        with store.session() as session:  # as a row stored before 0005 reads
            session.execute(update(HeldCredential).values(title_names=null()))
        logged = store.changes_since(0)[0]

    code, out, err = run(capsys, "db", "title-names")
    assert code == 0, err
    assert json.loads(out) == {"credentials": 1, "titles": 1, "candidates": 1}
    with store.session() as session:
        names = session.scalars(select(HeldCredential.title_names)).one()
    assert names and FORKLIFT_OPERATOR in {n["uri"] for n in names}
    assert len(store.changes_since(0)[0]) == len(logged) + 1
    code, out, _ = run(capsys, "db", "title-names")
    assert code == 0 and json.loads(out) == {"credentials": 0, "titles": 0, "candidates": 0}
