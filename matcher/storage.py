"""Writing derived data under ``MATCHER_HOME`` so that a crash never leaves half a folder.

Indexes and matrices are written into a staging folder beside their place and renamed into it
only when complete; a failure at any point leaves the previous folder as it was.
"""

from __future__ import annotations

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
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
