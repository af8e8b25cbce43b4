"""Writing fixed files: atomically, keeping the mode, never through a symlink out of the inputs."""

from __future__ import annotations

import os
import tempfile


def inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def write_atomically(path: str, data: bytes) -> None:
    """Write beside the target, then rename over it, so a reader never sees half a file."""
    target = os.path.realpath(path)
    mode = os.stat(target).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".k8stoken-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
