"""Writing derived data under ``MATCHER_HOME`` so that a crash never leaves half a folder.

Indexes and matrices are written into a staging folder beside their place and renamed into it
only when complete; a failure at any point (an exception, or the process ending: Ctrl-C, a
background build cut short) leaves the previous folder as it was. The staged files are
flushed to disk before the rename, so that after a crash a renamed folder is whole too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replace_dir(directory: Path, *, prefix: str = ".build-") -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds it replaces ``directory``."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=directory.parent))
    try:
        yield staging
        _sync(staging)
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush the files of ``folder`` and the folder itself to disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
