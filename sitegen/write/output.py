"""Write the built site: into a fresh folder beside output/, then swap it in.

A failed or interrupted build leaves the previous output exactly as it was (Lektor commits each
artifact by rename; sitegen does the same for the whole tree).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from sitegen.write.paths import output_path


def write_output(files: dict[str, bytes | Path], out_dir: Path) -> None:
    """`files` maps output-relative paths to their bytes, or to a source file to copy."""
    out_dir = out_dir.resolve()
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        made: set[Path] = set()
        for relative in sorted(files):
            target = staging / output_path(relative)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            content = files[relative]
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a served site must be readable
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(retired, out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
