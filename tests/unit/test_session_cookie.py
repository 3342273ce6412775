"""The login cookie lasts as long as the login: TANDEM_SESSION_TTL_HOURS, in the browser too."""

import json
import os
import subprocess
import sys
from pathlib import Path

from crmapp.launcher.web import frontend_settings, source_fingerprint
from crmapp.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
# What the compiler writes into the pages about the session cookie (the browser sets it so).
COMPILED_COOKIE = """
import json
from reflex.compiler.utils import compile_client_storage
from crmapp.state.session import SESSION_COOKIE, SessionState
cookies = compile_client_storage(SessionState)["cookies"].values()
print(json.dumps(next(c for c in cookies if c["name"] == SESSION_COOKIE)))
"""


def _compiled_cookie(ttl_hours: str) -> dict:
    env = {**os.environ, "TANDEM_SESSION_TTL_HOURS": ttl_hours, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", COMPILED_COOKIE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_session_cookie_expires_with_the_session():
    cookie = _compiled_cookie("5")
    assert cookie["maxAge"] == 5 * 3600
    assert cookie["sameSite"] == "lax"


def test_a_new_session_lifetime_recompiles_the_pages(monkeypatch):
    argv, env = ["run", "--env", "prod"], {"REFLEX_ENV_MODE": "prod"}
    monkeypatch.setenv("TANDEM_SESSION_TTL_HOURS", "5")
    get_settings.cache_clear()
    try:
        five = source_fingerprint(ROOT, argv, env, frontend_settings())
        monkeypatch.setenv("TANDEM_SESSION_TTL_HOURS", "6")
        get_settings.cache_clear()
        assert source_fingerprint(ROOT, argv, env, frontend_settings()) != five
    finally:
        get_settings.cache_clear()
