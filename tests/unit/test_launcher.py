"""The launcher's reuse of an unchanged frontend build, and its one-stack-per-data-dir lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmapp.launcher.run import data_dir_lock
from crmapp.launcher.web import fingerprint


def _web_dir(root: Path) -> Path:
    web = root / ".web"
    (web / "app" / "routes").mkdir(parents=True)
    (web / "app" / "routes" / "index.jsx").write_text("export default () => 1")
    (web / "env.json").write_text('{"EVENT": "ws://localhost:3000/_event"}')
    (web / "reflex.json").write_text('{"last_reflex_run_datetime": "2026-11-22 10:00"}')
    (web / "build" / "client").mkdir(parents=True)
    (web / "node_modules" / "x").mkdir(parents=True)
    return web


def test_fingerprint_ignores_run_timestamps_build_output_and_packages(tmp_path):
    web = _web_dir(tmp_path)
    before = fingerprint(web)
    (web / "reflex.json").write_text('{"last_reflex_run_datetime": "2026-11-22 11:00"}')
    (web / "build" / "client" / "index.html").write_text("<html>")
    (web / "node_modules" / "x" / "index.js").write_text("module.exports = 1")
    assert fingerprint(web) == before


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("app/routes/index.jsx", "export default () => 2"),  # a page changed
        ("env.json", '{"EVENT": "ws://localhost:3001/_event"}'),  # another port
        ("app/routes/new.jsx", "export default () => 3"),  # a page added
    ],
)
def test_fingerprint_changes_with_any_bundle_input(tmp_path, path, content):
    web = _web_dir(tmp_path)
    before = fingerprint(web)
    (web / path).write_text(content)
    assert fingerprint(web) != before


def test_a_second_launcher_on_the_same_data_dir_is_refused(tmp_path):
    with data_dir_lock(tmp_path):
        second = data_dir_lock(tmp_path)
        with pytest.raises(SystemExit, match="another launcher is using"):
            second.__enter__()
    with data_dir_lock(tmp_path):  # released when the first stops
        pass


def test_source_fingerprint_follows_sources_command_line_and_reflex_settings(tmp_path):
    from crmapp.launcher.web import source_fingerprint

    (tmp_path / "crmapp" / "pages").mkdir(parents=True)
    page = tmp_path / "crmapp" / "pages" / "a.py"
    page.write_text("x = 1")
    (tmp_path / "crmapp" / "pages" / "__pycache__").mkdir()
    (tmp_path / "rxconfig.py").write_text("config = 1")
    argv, env = ["run", "--backend-port", "3000"], {"REFLEX_ENV_MODE": "prod", "HOME": "/root"}
    base = source_fingerprint(tmp_path, argv, env)
    (tmp_path / "crmapp" / "pages" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert source_fingerprint(tmp_path, argv, {**env, "HOME": "/elsewhere"}) == base
    assert source_fingerprint(tmp_path, ["run", "--backend-port", "3001"], env) != base
    assert source_fingerprint(tmp_path, argv, {**env, "REFLEX_X": "1"}) != base
    page.write_text("x = 2")
    assert source_fingerprint(tmp_path, argv, env) != base
