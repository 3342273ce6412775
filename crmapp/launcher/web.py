"""`python -m crmapp.launcher.web run ...`: the Reflex CLI, minus work on an unchanged frontend.

`reflex run --env prod` compiles the app to `.web/` and then always runs the production bundler
(Vite); both take most of a restart once the app has many pages and wraps large npm packages.
Two fingerprints avoid that work:

- the app's sources (Python, JSX, assets, requirements, the command line, REFLEX_* settings and
  the Tandem settings compiled into the pages): when they match the last successful build, the
  compile is skipped and `.web/` is used as it is;
- the compiled output in `.web/`: when a compile produced exactly the files of the last build, the
  bundle in `.web/build/` is reused.

Everything else is Reflex's own CLI, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from crmapp.settings import get_settings

STAMP_NAME = ".tandem-build-fingerprint"
SOURCE_STAMP_NAME = ".tandem-source-fingerprint"
# What the compiled frontend is made from, besides the command line and REFLEX_* settings.
SOURCE_GLOBS = (
    "rxconfig.py",
    "requirements.txt",
    "crmapp/**/*.py",
    "crmapp/**/*.jsx",
    "assets/**/*",
)
# Build output, installed packages and per-run state (reflex.json holds run timestamps): not
# inputs of the bundle.
_SKIP_DIRS = {"build", "node_modules", ".states", "backend", ".react-router"}
_SKIP_FILES = {
    STAMP_NAME,
    SOURCE_STAMP_NAME,
    "reflex.install_frontend_packages.cached",
    "reflex.json",
}


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


def frontend_settings() -> str:
    """The Tandem settings the compiler writes into the pages: the login cookie's max-age."""
    return f"session_ttl_seconds={get_settings().session_ttl_seconds}"


def source_fingerprint(
    root: Path, argv: list[str], environ: dict[str, str], compiled_settings: str = ""
) -> str:
    """SHA-256 over the app's sources, the command line, the REFLEX_* environment (Reflex's own
    settings) and `compiled_settings` (`frontend_settings()`)."""
    digest = hashlib.sha256()
    paths = sorted({p for pattern in SOURCE_GLOBS for p in root.glob(pattern) if p.is_file()})
    for path in paths:
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(argv).encode())
    digest.update(
        "\0".join(
            f"{k}={v}" for k, v in sorted(environ.items()) if k.startswith("REFLEX_")
        ).encode()
    )
    digest.update(b"\0" + compiled_settings.encode())
    return digest.hexdigest()


def _install_build_cache() -> None:
    from reflex import reflex as cli_module
    from reflex.utils import build, prerequisites

    original_build = build.build
    original_compile = cli_module._compile_app
    sources = source_fingerprint(Path.cwd(), sys.argv[1:], dict(os.environ), frontend_settings())

    def compile_if_changed(*args, **kwargs):
        web_dir = prerequisites.get_web_dir()
        stamp = web_dir / SOURCE_STAMP_NAME
        built = (web_dir / "build" / "client").is_dir() and (web_dir / STAMP_NAME).is_file()
        if built and stamp.is_file() and stamp.read_text() == sources:
            print("Sources unchanged since the last build: skipping the compile", flush=True)
            return None
        stamp.unlink(missing_ok=True)
        return original_compile(*args, **kwargs)

    def build_if_changed() -> None:
        web_dir = prerequisites.get_web_dir()
        stamp = web_dir / STAMP_NAME
        current = fingerprint(web_dir)
        client = web_dir / "build" / "client"
        if client.is_dir() and stamp.is_file() and stamp.read_text() == current:
            print("Frontend unchanged since the last build: reusing .web/build", flush=True)
        else:
            stamp.unlink(missing_ok=True)
            original_build()
            stamp.write_text(current)
        (web_dir / SOURCE_STAMP_NAME).write_text(sources)

    build.build = build_if_changed
    cli_module._compile_app = compile_if_changed


def main() -> None:
    _install_build_cache()
    from reflex.reflex import cli

    sys.argv[0] = "reflex"
    cli()


if __name__ == "__main__":
    main()
