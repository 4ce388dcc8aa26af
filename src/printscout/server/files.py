"""Files the server makes once in its data directory, safely when several server processes
share the directory and start at the same moment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) unless a file is there; when two processes race,
    the first one's file stays and the other's is dropped. Nobody ever reads a half-written
    file: it is written and synced under a temporary name, then linked into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(partial, path)  # fails if another process made one first: theirs stays
    except FileExistsError:
        pass
    finally:
        partial.unlink()
