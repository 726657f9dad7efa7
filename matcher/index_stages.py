"""Which skill index to use now, and the background build that completes it.

A saved full index is loaded. Else a large taxonomy (:func:`is_staged`) gets its first stage
at once (loaded, or built and saved: :meth:`matcher.index.SkillIndex.build` with
``stage="first"``) and a :class:`BackgroundBuild` that builds, saves and hands over the full
index; a small taxonomy is built whole. Reads and writes the index folders under
``MATCHER_HOME/indexes/`` (the layout is in :mod:`matcher.index`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matcher.embedding import Embedder
from matcher.errors import IndexMismatchError
from matcher.index import DEFAULT_KINDS, SkillIndex, Stage, index_key
from matcher.models import VariantKind
from matcher.progress import BuildProgress, stderr_is_terminal
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

# A taxonomy whose full index embeds fewer texts than this is built whole at once: the tiny
# test taxonomy, or one cut down to a sector. All of ESCO embeds about 109,000.
STAGED_FROM = 20_000


def is_staged(taxonomy: Taxonomy, kinds: Sequence[VariantKind]) -> bool:
    """Whether the full index is large enough to be worth a first stage (:data:`STAGED_FROM`)."""
    texts = len(taxonomy.skills)  # descriptions; then the labels, counted before deduplication
    for skill in taxonomy.skills.values():
        texts += len(skill.labels)
        if "alternative" in kinds:
            texts += sum(len(labels) for labels in skill.alt_labels.values())
        if "hidden" in kinds:
            texts += sum(len(labels) for labels in skill.hidden_labels.values())
    return texts >= STAGED_FROM


class BackgroundBuild:
    """Builds the full index in a daemon thread, saves it, then hands it to ``on_done``.

    Nothing is loadable before the save completes (:func:`matcher.storage.replace_dir`); a
    process that ends first leaves the first stage in use, and the next one starts again.
    Processes sharing ``MATCHER_HOME`` (the service's workers) build it once: the builder
    holds a lock file beside the index; the others wait for it and load what it saved
    (``load``), building only if that fails.
    """

    def __init__(self, build: Callable[[BuildProgress], SkillIndex], directory: Path,
                 on_done: Callable[[SkillIndex], None],
                 load: Callable[[], SkillIndex | None] | None = None) -> None:
        self.progress = BuildProgress("full skill index, in the background")
        self.directory = directory
        self.index: SkillIndex | None = None
        self.error: BaseException | None = None
        self._build, self._on_done, self._load = build, on_done, load
        self._thread = threading.Thread(target=self._run, name="matcher-full-index",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            with _BuildLock(self.directory) as lock:
                index = self._load() if lock.waited and self._load is not None else None
                if index is None:
                    index = self._build(self.progress)
                    index.save(self.directory)
        except BaseException as exc:  # noqa: BLE001 - reported; the first stage stays in use
            self.error = exc
            logger.warning("the full skill index could not be built (%s: %s); the first stage "
                           "stays in use", type(exc).__name__, exc)
            return
        self.index = index
        logger.info("the full skill index is saved in %s and now in use (%d variants)",
                    self.directory, len(index))
        self._on_done(index)

    def wait(self, timeout: float | None = None, *,
             show_progress: bool | None = None) -> SkillIndex | None:
        """Wait until the build ends (or ``timeout`` seconds); the full index, or None.

        With a progress bar (None: when stderr is a terminal) while waiting.
        """
        bar_wanted = stderr_is_terminal() if show_progress is None else show_progress
        if not bar_wanted or not self.running:
            self._thread.join(timeout)
            return self.index
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.progress.total == 0 and self.running:
            self._thread.join(0.2)  # until the build knows how much there is to do
        self.progress.quiet = True
        bar = self.progress.new_bar()
        try:
            while self.running and (deadline is None or time.monotonic() < deadline):
                self._thread.join(0.5)
                bar.update(self.progress.done - bar.n)
        finally:
            bar.close()
            self.progress.quiet = False
        return self.index


class _BuildLock:
    """An exclusive lock file (``MATCHER_HOME/locks/index-<name>.lock`` for the index in
    ``MATCHER_HOME/indexes/<name>``), held while one process builds; ``waited`` says whether
    another process held it first (it may have saved the index meanwhile). Without ``fcntl``
    (not POSIX) every process builds alone."""

    def __init__(self, directory: Path) -> None:
        self.path = directory.parent.parent / "locks" / f"index-{directory.name}.lock"
        self.waited = False
        self._handle: Any = None

    def __enter__(self) -> _BuildLock:
        try:
            import fcntl
        except ImportError:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a+b")
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another process is building the full skill index; waiting for it")
            self.waited = True
            fcntl.flock(self._handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()  # releases the lock


def load_saved(directory: Path, taxonomy: Taxonomy, embedder: Embedder,
               stage: Stage) -> SkillIndex | None:
    """The index saved in ``directory`` when it is complete and fits; else None (logged)."""
    if not (directory / "meta.json").exists():
        return None
    try:
        started = time.perf_counter()
        index = SkillIndex.load(directory, taxonomy_hash=taxonomy.content_hash,
                                model_id=embedder.model_id, stage=stage)
    except (IndexMismatchError, OSError, ValueError, KeyError) as exc:
        logger.warning("rebuilding the skill index: %s", exc)
        return None
    logger.info("loaded the %s skill index %s in %.2fs", stage, directory.name,
                time.perf_counter() - started)
    return index


def open_index(
    taxonomy: Taxonomy,
    embedder: Embedder,
    index_dir: Path,
    *,
    kinds: Sequence[VariantKind] = DEFAULT_KINDS,
    show_progress: bool | None = None,
    staged: bool = True,
    on_full: Callable[[SkillIndex], None],
) -> tuple[SkillIndex, BackgroundBuild | None]:
    """The index to use now, and the background build that will complete it (not started).

    A saved full index is loaded. Else a large taxonomy (:func:`is_staged`) gets its first
    stage (loaded, or built and saved) and a :class:`BackgroundBuild` of the full index that
    calls ``on_full`` when saved; a small one (or any, when not ``staged``) is built whole.
    """
    full_dir = index_dir / index_key(taxonomy, embedder.model_id, kinds)
    index = load_saved(full_dir, taxonomy, embedder, "full")
    if index is not None:
        return index, None
    if not staged or not is_staged(taxonomy, kinds):
        first_dir = index_dir / index_key(taxonomy, embedder.model_id, kinds, "first")
        first = load_saved(first_dir, taxonomy, embedder, "first")  # its vectors, if saved
        index = SkillIndex.build(taxonomy, embedder, kinds=kinds, reuse=first,
                                 show_progress=show_progress)
        index.save(full_dir)
        return index, None
    first_dir = index_dir / index_key(taxonomy, embedder.model_id, kinds, "first")
    first = load_saved(first_dir, taxonomy, embedder, "first")
    if first is None:
        first = SkillIndex.build(taxonomy, embedder, kinds=kinds, stage="first",
                                 show_progress=show_progress)
        first.save(first_dir)
    logger.info(
        "using the first-stage skill index: every preferred label and up to %d alternative "
        "label(s) per skill (%d of %d label variants), preferred labels standing in for the "
        "descriptions; the full index is being built in the background and replaces it when "
        "saved", first.meta.get("first_stage_alternatives") or 0, len(first),
        first.meta.get("full_variants", 0))

    def build(progress: BuildProgress) -> SkillIndex:
        return SkillIndex.build(taxonomy, embedder, kinds=kinds, stage="full", reuse=first,
                                show_progress=False, progress=progress)

    return first, BackgroundBuild(build, full_dir, on_full,
                                  lambda: load_saved(full_dir, taxonomy, embedder, "full"))

