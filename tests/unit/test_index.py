"""The staged skill index: a first stage used at once, the full index built in the background,
saved whole or not at all. On the tiny taxonomy with the lexical embedder; ``STAGED_FROM`` is
lowered so that the tiny taxonomy is staged like all of ESCO."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher import Engine, Settings
from matcher import embedding as embedding_module
from matcher import index as index_module
from matcher import index_stages as stages_module
from matcher import progress as progress_module
from matcher.embedding import HashingEmbedder
from matcher.index import SkillIndex, Variant, first_stage_rows
from tests.conftest import run
from tests.fixtures.esco_mini import SKILL

BACKGROUND = "matcher-full-index"  # the background build's thread name


@pytest.fixture()
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stages_module, "STAGED_FROM", 0)


class GatedEmbedder(HashingEmbedder):
    """Embeds as the hashing embedder; the background build waits until ``gate`` is set, and
    fails when ``fail`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.fail = False

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if threading.current_thread().name == BACKGROUND:
            assert self.gate.wait(30), "the test never opened the gate"
            if self.fail:
                raise RuntimeError("embedding failed half-way")
        return super().embed_queries(texts)


def _engine(taxonomy, home: Path, embedder=None, **kwargs) -> Engine:
    return Engine(Settings(home=home, model="hashing"), taxonomy=taxonomy,
                  embedder=embedder or HashingEmbedder(), show_progress=False, **kwargs)


def _uris(mapping) -> list[str]:
    return [link.uri for link in mapping.skills]


def test_first_stage_holds_preferred_labels_and_the_most_different_alternative() -> None:
    variants = [
        Variant(0, "preferred", "en", "operate forklift"),
        Variant(0, "alternative", "en", "forklift operation"),
        Variant(0, "alternative", "en", "drive lift truck"),
        Variant(0, "hidden", "en", "fork lift"),
        Variant(1, "preferred", "en", "dementia care"),
        Variant(1, "preferred", "sv", "demensvård"),
    ]
    assert first_stage_rows(variants, 1) == [0, 2, 4, 5]
    assert first_stage_rows(variants, 0) == [0, 4, 5]
    assert first_stage_rows(variants, 5) == [0, 1, 2, 4, 5]  # hidden labels wait


def test_first_stage_is_used_at_once_and_maps(staged, mini_taxonomy, tmp_path) -> None:
    embedder = GatedEmbedder()
    engine = _engine(mini_taxonomy, tmp_path, embedder)
    try:
        first = engine.index
        assert first.stage == "first"
        assert engine.index_building is not None  # the full index is on its way
        assert len(first) < first.meta["full_variants"]
        [mapping] = engine.map_outcomes(["Deltagaren kan köra gaffeltruck"], top_k=3)
        assert _uris(mapping)[0] == SKILL + "forklift"
        assert engine.index is first  # still the first stage: the build waits at the gate
        assert not engine.index_path.exists()
    finally:
        embedder.gate.set()
    full = engine.wait_for_index(timeout=30)
    assert full.stage == "full" and engine.index is full
    assert len(full) == full.meta["full_variants"] > len(first)
    assert (engine.index_path / "meta.json").exists()
    [mapping] = engine.map_outcomes(["Deltagaren kan köra gaffeltruck"], top_k=3)
    assert _uris(mapping)[0] == SKILL + "forklift"


def test_full_index_reuses_the_first_stage_vectors(staged, mini_taxonomy, tmp_path) -> None:
    engine = _engine(mini_taxonomy, tmp_path)
    first = engine.index
    full = engine.wait_for_index(timeout=30)
    assert full.meta["embedded_texts"] == (full.meta["full_variants"] - len(first)
                                           + len(mini_taxonomy.skills))
    row = {v.text: i for i, v in enumerate(full.variants)}
    for i, variant in enumerate(first.variants):
        assert np.allclose(first.vector(i), full.vector(row[variant.text]))


def test_a_saved_full_index_is_loaded_instead_of_the_first_stage(staged, mini_taxonomy,
                                                                 tmp_path) -> None:
    built = _engine(mini_taxonomy, tmp_path)
    _ = built.index
    saved = built.wait_for_index(timeout=30)
    assert saved.stage == "full"

    again = _engine(mini_taxonomy, tmp_path)
    assert again.index.stage == "full"
    assert again.index_building is None  # nothing to build
    assert again.index.meta["build_seconds"] == saved.meta["build_seconds"]  # loaded
    assert again.wait_for_index() is again.index


def test_failed_background_build_saves_nothing_and_keeps_the_first_stage(
        staged, mini_taxonomy, tmp_path, caplog) -> None:
    embedder = GatedEmbedder()
    embedder.fail = True
    engine = _engine(mini_taxonomy, tmp_path, embedder)
    embedder.gate.set()
    with caplog.at_level(logging.WARNING, logger="matcher.index_stages"):
        index = engine.wait_for_index(timeout=30)
    assert index.stage == "first"
    assert "could not be built" in caplog.text
    assert not engine.index_path.exists()
    assert [p.name for p in (tmp_path / "indexes").iterdir()] == [
        engine.index_path.name + f"-first{index_module.FIRST_STAGE_ALTERNATIVES}"]  # no staging
    # The next engine uses the saved first stage and builds the full index again.
    again = _engine(mini_taxonomy, tmp_path)
    assert again.index.stage == "first"
    assert again.index.meta["build_seconds"] == index.meta["build_seconds"]  # loaded
    assert again.wait_for_index(timeout=30).stage == "full"


def test_a_save_that_fails_half_way_leaves_no_loadable_index(mini_taxonomy, tmp_path,
                                                             monkeypatch) -> None:
    index = SkillIndex.build(mini_taxonomy, HashingEmbedder(), show_progress=False)
    target = tmp_path / "indexes" / "full"

    def broken_save(path, array, **kwargs):  # the faiss file is written, then this fails
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        index.save(target)
    assert not target.exists()
    assert list((tmp_path / "indexes").iterdir()) == []


def test_a_killed_build_leaves_no_complete_index(bundle_dir, tmp_path) -> None:
    """A process ended during its background build: the next start does not take the half
    build for a full index; it loads the first stage and builds the full one again."""
    home = tmp_path / "home"
    started = tmp_path / "background-started"
    script = textwrap.dedent(f"""
        import threading, time
        from pathlib import Path
        from matcher import Engine, Settings, read_esco
        from matcher import index_stages
        from matcher.embedding import HashingEmbedder

        class Slow(HashingEmbedder):
            def embed_passages(self, texts):
                if threading.current_thread().name == {BACKGROUND!r}:
                    Path({str(started)!r}).touch()
                    time.sleep(60)
                return super().embed_queries(texts)

        index_stages.STAGED_FROM = 0
        taxonomy = read_esco([Path({str(bundle_dir)!r}) / n for n in
                              ("classification-en", "classification-sv", "relations")])
        engine = Engine(Settings(home=Path({str(home)!r}), model="hashing"), taxonomy=taxonomy,
                        embedder=Slow(), show_progress=False)
        engine.map_outcomes(["köra gaffeltruck"])
        engine.wait_for_index()
    """)
    process = subprocess.Popen([sys.executable, "-c", script],
                               cwd=Path(__file__).resolve().parents[2])
    try:
        for _ in range(600):
            if started.exists() or process.poll() is not None:
                break
            threading.Event().wait(0.05)
        assert started.exists(), "the background build never started"
    finally:
        process.kill()
        process.wait()
    from matcher import read_esco

    taxonomy = read_esco([bundle_dir / n for n in
                          ("classification-en", "classification-sv", "relations")])
    staged_from = stages_module.STAGED_FROM
    try:
        stages_module.STAGED_FROM = 0
        engine = _engine(taxonomy, home)
        assert not (engine.index_path / "meta.json").exists()
        assert engine.index.stage == "first"
        assert engine.wait_for_index(timeout=30).stage == "full"
    finally:
        stages_module.STAGED_FROM = staged_from


def test_a_small_taxonomy_is_built_whole_at_once(mini_taxonomy, tmp_path) -> None:
    engine = _engine(mini_taxonomy, tmp_path)
    assert engine.index.stage == "full"
    assert engine.index_building is None


def test_progress_is_logged_when_not_on_a_terminal(mini_taxonomy, tmp_path, monkeypatch,
                                                   caplog) -> None:
    monkeypatch.setattr(progress_module, "PROGRESS_LOG_SECONDS", 0.0)
    monkeypatch.setattr(embedding_module, "_BATCH", 4)
    engine = Engine(Settings(home=tmp_path, model="hashing"), taxonomy=mini_taxonomy,
                    embedder=HashingEmbedder(), show_progress=None)  # stderr is captured
    with caplog.at_level(logging.INFO, logger="matcher.progress"):
        _ = engine.index
    lines = [r.getMessage() for r in caplog.records if "texts embedded (" in r.getMessage()]
    total = engine.index.meta["embedded_texts"]
    assert len(lines) >= 3
    assert all(f"/{total} texts embedded" in line and "ETA" in line for line in lines)
    assert lines[-1].startswith(f"full skill index: {total}/{total}")


def test_command_prints_the_answer_then_completes_the_full_index(staged, imported, capsys,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "PROGRESS_LOG_SECONDS", 0.0)
    monkeypatch.setattr(embedding_module, "_BATCH", 8)
    demo = Path(__file__).resolve().parents[2] / "matcher" / "demo_data" / "credentials"
    code, out, err = run(capsys, "map-credential", str(demo / "saman-2.json"), "--format",
                         "table")
    assert code == 0 and "•" in out
    assert "this answer used the first-stage skill index" in err
    assert "the full skill index is saved" in err
    indexes = sorted(p.name for p in (imported / "indexes").iterdir())
    assert len(indexes) == 2 and indexes[1] == f"{indexes[0]}-first0"
    # The next run loads the full index and has nothing to finish.
    code, out2, err = run(capsys, "map-credential", str(demo / "saman-2.json"), "--format",
                          "table")
    assert code == 0 and "first-stage" not in err and "•" in out2


def test_waiting_on_a_terminal_shows_the_background_build_as_a_bar(staged, mini_taxonomy,
                                                                   tmp_path, capsys) -> None:
    embedder = GatedEmbedder()
    engine = _engine(mini_taxonomy, tmp_path, embedder)
    assert engine.index.stage == "first"
    threading.Timer(0.3, embedder.gate.set).start()
    assert engine.wait_for_index(timeout=30, show_progress=True).stage == "full"
    err = capsys.readouterr().err
    assert "Embedding ESCO labels and descriptions (full skill index, in the background)" in err
    total = engine.index.meta["embedded_texts"]
    assert f"{total}/{total}" in err


def test_an_engine_not_staged_builds_the_full_index_reusing_a_saved_first_stage(
        staged, mini_taxonomy, tmp_path) -> None:
    embedder = GatedEmbedder()
    first = _engine(mini_taxonomy, tmp_path, embedder).index  # saved; its build never ends
    engine = _engine(mini_taxonomy, tmp_path)
    engine.staged_index = False
    assert engine.index.stage == "full"
    assert engine.index_building is None
    assert engine.index.meta["embedded_texts"] == (
        engine.index.meta["full_variants"] - len(first) + len(mini_taxonomy.skills))
    embedder.gate.set()


class CountingEmbedder(HashingEmbedder):
    """Counts the passages the background build embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.background = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if threading.current_thread().name == BACKGROUND:
            self.background += len(texts)
        return super().embed_queries(texts)


def test_processes_sharing_a_home_build_the_full_index_once(staged, mini_taxonomy,
                                                            tmp_path) -> None:
    """The service's workers share MATCHER_HOME: the first to start builds the full index, the
    others wait for it and load what it saved instead of building it again."""
    first = GatedEmbedder()
    entered = threading.Event()
    inner = first.embed_passages

    def embed(texts: Sequence[str]) -> np.ndarray:
        if threading.current_thread().name == BACKGROUND:
            entered.set()  # the builder holds the lock by now
        return inner(texts)

    first.embed_passages = embed  # type: ignore[method-assign]
    builder = _engine(mini_taxonomy, tmp_path, first)
    assert builder.index.stage == "first"
    assert entered.wait(30)
    second = CountingEmbedder()
    waiter = _engine(mini_taxonomy, tmp_path, second)
    assert waiter.index.stage == "first"
    first.gate.set()
    assert builder.wait_for_index(timeout=30).stage == "full"
    assert waiter.wait_for_index(timeout=30).stage == "full"
    assert second.background == 0  # loaded, not built again
    assert [p.name for p in (tmp_path / "locks").iterdir()] == [
        f"index-{builder.index_path.name}.lock"]
