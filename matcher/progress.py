"""How far a long embedding run is: a progress bar on a terminal, log lines without one.

Used by the skill index builds (:mod:`matcher.index`, :mod:`matcher.index_stages`). Reads and
writes nothing; logs under ``matcher.progress``.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

# Seconds between progress log lines (when no progress bar is shown).
PROGRESS_LOG_SECONDS = 5.0


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    return f"{seconds // 60}m {seconds % 60:02d}s"


class BuildProgress:
    """How far an index build is: a tqdm bar, or a log line every
    :data:`PROGRESS_LOG_SECONDS` with texts done / total and the ETA.

    Read from other threads (``done``, ``total``, ``eta``) while a background build runs.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.done = 0
        self.total = 0
        self.finished = False
        self._started = time.monotonic()
        self._last_log = self._started
        self._bar: Any = None
        self.quiet = False  # while someone else shows a bar for this build

    def start(self, total: int, show_progress: bool | None) -> None:
        self.total, self.done = total, 0
        self._started = self._last_log = time.monotonic()
        bar = stderr_is_terminal() if show_progress is None else show_progress
        if bar and total:
            self._bar = self.new_bar()
        logger.info("%s: embedding %d texts", self.what, total)

    def new_bar(self) -> Any:
        from tqdm import tqdm

        return tqdm(total=self.total, initial=self.done, unit="text",
                    desc=f"Embedding ESCO labels and descriptions ({self.what})")

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last_log >= PROGRESS_LOG_SECONDS and not self.quiet:
            self._last_log = now
            eta = self.eta()
            logger.info("%s: %d/%d texts embedded (%.0f%%), ETA %s", self.what, self.done,
                        self.total, 100.0 * self.done / max(1, self.total),
                        _duration(eta) if eta is not None else "unknown")

    def eta(self) -> float | None:
        """Seconds left at the rate so far (None before the first batch)."""
        if self.done <= 0:
            return None
        elapsed = time.monotonic() - self._started
        return elapsed * (self.total - self.done) / self.done

    def close(self) -> None:
        self.finished = True
        if self._bar is not None:
            self._bar.close()
            self._bar = None

