"""The matcher command, run in-process with the lexical embedder and a temporary home."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.cli import main
from tests.conftest import run
from tests.fixtures import esco_mini


def test_import_then_info(imported: Path, capsys) -> None:
    code, out, _ = run(capsys, "esco", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["taxonomy"] == "imported"
    assert info["counts"]["skills"] == len(esco_mini.SKILLS)
    assert info["counts"]["occupation_skill_relations"] == len(esco_mini.RELATIONS)
    assert info["languages"] == ["en", "sv"]
    code, out, _ = run(capsys, "esco", "info")
    assert "occupation–skill relations: 10 (7 essential, 3 optional)" in out


def test_broken_import_leaves_previous_intact(imported: Path, bundle_dir: Path, tmp_path: Path,
                                              capsys) -> None:
    _, before, _ = run(capsys, "esco", "info", "--json")
    broken = tmp_path / "broken"
    shutil.copytree(bundle_dir / "classification-en", broken)
    (broken / "skills_en.csv").write_text("conceptUri,label\nx,y\n")
    code, out, err = run(capsys, "esco", "import", str(broken))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "skills_en.csv" in err and "preferredLabel" in err
    bad_zip = tmp_path / "bundle.zip"
    bad_zip.write_bytes(b"garbage")
    assert run(capsys, "esco", "import", str(bad_zip))[0] == 1
    _, after, _ = run(capsys, "esco", "info", "--json")
    assert json.loads(after)["hash"] == json.loads(before)["hash"]


def test_reimport_is_idempotent(imported: Path, bundle_dir: Path, capsys) -> None:
    _, first, _ = run(capsys, "esco", "info", "--json")
    run(capsys, "esco", "import", str(bundle_dir / "classification-en"),
        str(bundle_dir / "classification-sv"), str(bundle_dir / "relations"))
    _, second, _ = run(capsys, "esco", "info", "--json")
    assert json.loads(first)["hash"] == json.loads(second)["hash"]
    assert sorted(p.name for p in (imported / "taxonomy").iterdir()) == ["current"]


def test_map_prints_one_json_object_per_input_line(imported: Path, capsys, monkeypatch) -> None:
    lines = [
        "Deltagaren kan köra gaffeltruck".encode(),
        b"",
        "Kan hantera kassa och bemöta kunder".encode("cp1252"),  # not UTF-8
        ("Kan läsa ritningar. " * 3000).encode(),  # 60 kB
        b"provide customer service and handle bookings",
    ]
    code, out, err = run(capsys, "map", "--top-k", "3", stdin=b"\n".join(lines) + b"\n",
                         monkeypatch=monkeypatch)
    assert code == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == len(lines)
    assert objects[0]["skills"][0]["uri"] == esco_mini.SKILL + "forklift"
    assert set(objects[0]["skills"][0]) >= {"uri", "label", "score", "confidence", "reason"}
    assert objects[1]["skills"] == [] and objects[1]["warnings"]
    assert "Windows-1252" in objects[2]["warnings"][0]
    assert objects[2]["text"].startswith("Kan hantera kassa och bemöta")
    assert esco_mini.SKILL + "cash" in [s["uri"] for s in objects[2]["skills"]]
    assert objects[3]["skills"] and objects[3]["warnings"]
    assert objects[4]["lang"] == "en"


def test_map_with_text_option_and_bad_arguments(imported: Path, capsys) -> None:
    code, out, _ = run(capsys, "map", "--text", "MAG-svetsa", "--text", "hantera bokningar",
                       "--top-k", "1")
    assert code == 0
    assert [json.loads(line)["skills"][0]["uri"] for line in out.splitlines()] == [
        esco_mini.SKILL + "welding", esco_mini.SKILL + "booking"]
    with pytest.raises(SystemExit) as info:
        main(["map", "--top-k", "zero"])
    assert info.value.code == 2
    assert "whole number" in capsys.readouterr().err


def test_map_credential(imported: Path, capsys) -> None:
    demo = Path(__file__).resolve().parents[2] / "matcher" / "demo_data" / "credentials"
    code, out, _ = run(capsys, "map-credential", str(demo / "jacob-1.json"), "--top-k", "2")
    result = json.loads(out)
    assert code == 0
    assert len(result["outcomes"]) >= 3
    assert all(len(o["skills"]) == 2 for o in result["outcomes"])
    code, out, _ = run(capsys, "map-credential", str(demo / "jacob-1.json"), "--format", "table")
    assert code == 0 and "•" in out


def test_map_credential_invalid_file_is_one_line_and_exit_1(imported: Path, tmp_path: Path,
                                                            capsys) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "x"}))
    code, out, err = run(capsys, "map-credential", str(path))
    assert code == 1 and out == ""
    assert err.startswith("matcher: error: ") and err.count("\n") == 1
    assert "field" in err


def test_unknown_model_setting_is_a_clear_error(imported: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MATCHER_MODEL", "gpt-9")
    code, _, err = run(capsys, "map", "--text", "x")
    assert code == 1 and "unknown model 'gpt-9'" in err


def test_console_script_help_is_instant_and_works() -> None:
    result = subprocess.run([sys.executable, "-m", "matcher.cli", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "esco" in result.stdout


@pytest.mark.parametrize("argv", [["serve"], ["serve", "--port", "8000", "--workers", "2"],
                                  ["serve", "--help"], ["db", "upgrade"],
                                  ["keys", "create", "--role", "admin", "--name", "x"]])
def test_service_commands_without_the_service_say_how_to_install_it(argv: list[str], capsys,
                                                                     monkeypatch) -> None:
    import importlib.metadata

    # As if only the library were installed: no package adds commands to `matcher`.
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert f"`matcher {argv[0]}` belongs to the web service" in err
    assert "pip install 'meritmatch[service]'" in err


def test_the_service_commands_come_from_its_entry_point(capsys) -> None:
    from importlib.metadata import entry_points

    from matcher.cli import PLUGIN_GROUP

    assert [e.value for e in entry_points(group=PLUGIN_GROUP)] == ["api.cli:register"]
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "usage: matcher serve" in out and "--workers" in out
