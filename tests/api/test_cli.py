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
