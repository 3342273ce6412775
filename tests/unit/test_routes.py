"""Links: redirects after login never leave the site, and every app path is built by
crmapp/routes.py."""

import ast
import re
import uuid
from pathlib import Path

from crmapp import routes

ROOT = Path(__file__).resolve().parents[2]


def test_next_path_must_be_local():
    assert routes.safe_next("/crm/contacts") == "/crm/contacts"
    for hostile in (
        "https://evil.example",
        "//evil.example/x",
        "",
        None,
        "javascript:alert(1)",
    ):
        assert routes.safe_next(hostile) == routes.DASHBOARD


def test_login_link_comes_back_to_the_page():
    assert routes.login_with_next("/settings") == "/login?next=/settings"
    assert routes.login_with_next("/settings/") == "/login?next=/settings"
    assert routes.login_with_next("/login") == "/login"
    back = routes.login_with_next("/social/connect/callback", "state=s1&code=c2")
    assert back == "/login?next=/social/connect/callback%3Fstate%3Ds1%26code%3Dc2"


def test_builders_fill_the_routes_the_pages_are_registered_under():
    assert routes.contact("c1") == "/crm/contacts/c1"
    assert routes.record("company", "k2") == "/crm/companies/k2"
    assert routes.deal(uuid.UUID(int=3)) == f"/crm/deals/{uuid.UUID(int=3)}"
    assert routes.proposal("p4") == "/proposals/p4"
    assert routes.new_proposal_for("d5") == "/proposals?deal=d5"
    assert routes.public_proposal("t6") == "/p/t6"
    assert routes.social_post("s7") == "/social/posts/s7"
    assert routes.invite_url("https://crm.example/", "i8") == "https://crm.example/invite/i8"


# App paths: the first segments of the routes routes.py defines ("crm", "proposals", "p", …).
APP_SEGMENTS = {
    value.split("/")[1].split("?")[0]
    for name, value in vars(routes).items()
    if name.isupper() and isinstance(value, str) and value.startswith("/") and value != "/"
}
APP_PATH = re.compile(rf"^/({'|'.join(map(re.escape, sorted(APP_SEGMENTS)))})(?=[/?#]|$)")
# Pages, state and components write no path but through routes.py, except these: the API the
# backend mounts (not a page) and the files in assets/.
UI_PATH = re.compile(r"^/[a-z][\w.-]*")
UI_ALLOWED = ("/api/", *(f"/{p.name}" for p in (ROOT / "assets").iterdir()))


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_module_but_routes_writes_an_app_path():
    sources = [p for p in (ROOT / "crmapp").rglob("*.py") if p.name != "routes.py"]
    sources += list((ROOT / "jobs").rglob("*.py"))
    found = []
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        ui = rel.startswith(("crmapp/pages/", "crmapp/state/", "crmapp/components/")) or (
            rel == "crmapp/crmapp.py"
        )
        for line, text in _literals(path):
            hard_coded = APP_PATH.match(text) or (
                ui and UI_PATH.match(text) and not text.startswith(UI_ALLOWED)
            )
            if hard_coded:
                found.append(f"{rel}:{line}: {text!r}")
    assert {"crm", "proposals", "social", "settings", "p", "invite", "login"} <= APP_SEGMENTS
    assert found == [], "build these links with crmapp/routes.py:\n" + "\n".join(found)
