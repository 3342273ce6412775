"""`python -m crmapp.launcher.web run ...`: the Reflex CLI, minus rebuilds of an unchanged frontend.

`reflex run --env prod` compiles the app to `.web/` and then always runs the production bundler
(Vite), which takes most of a restart once the app wraps large npm packages (plotly.js, @dnd-kit).
The compile is deterministic, so this entry point fingerprints the compiled sources after each
successful build and reuses `.web/build/` when a later compile produced exactly the same files.
Everything else is Reflex's own CLI, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

STAMP_NAME = ".tandem-build-fingerprint"
# Build output, installed packages and per-run state (reflex.json holds run timestamps): not
# inputs of the bundle.
_SKIP_DIRS = {"build", "node_modules", ".states", "backend", ".react-router"}
_SKIP_FILES = {STAMP_NAME, "reflex.install_frontend_packages.cached", "reflex.json"}


def fingerprint(web_dir: Path) -> str:
    """SHA-256 over the relative path and content of every bundler input under `web_dir`."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(web_dir):
        rel_root = Path(root).relative_to(web_dir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        dirs.sort()
        for name in sorted(files):
            if rel_root == Path(".") and name in _SKIP_FILES:
                continue
            path = Path(root) / name
            digest.update(str(rel_root / name).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _install_build_cache() -> None:
    from reflex.utils import build, prerequisites

    original_build = build.build

    def build_if_changed() -> None:
        web_dir = prerequisites.get_web_dir()
        stamp = web_dir / STAMP_NAME
        current = fingerprint(web_dir)
        client = web_dir / "build" / "client"
        if client.is_dir() and stamp.is_file() and stamp.read_text() == current:
            print("Frontend unchanged since the last build: reusing .web/build", flush=True)
            return
        stamp.unlink(missing_ok=True)
        original_build()
        stamp.write_text(current)

    build.build = build_if_changed


def main() -> None:
    _install_build_cache()
    from reflex.reflex import cli

    sys.argv[0] = "reflex"
    cli()


if __name__ == "__main__":
    main()
