"""House rules the code keeps: Settings is the only reader of the environment, and jobs, state
and pages leave every read and write of rows to the services."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _environment_reads(path: Path) -> list[int]:
    """Lines reading a variable: os.getenv(…), os.environ.get(…), os.environ[…] (a copy for a
    child process, or a default set for a library, is no read)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        getenv = isinstance(func, ast.Attribute) and func.attr == "getenv"
        getenv = getenv and getattr(func.value, "id", "") == "os"
        get = isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
        index = isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
        if getenv or get or (index and _is_environ(node.value)):
            lines.append(node.lineno)
    return lines


def test_settings_is_the_only_reader_of_the_environment():
    sources = [*_python("crmapp", "jobs"), ROOT / "rxconfig.py"]
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources
        if path.name != "settings.py"
        for line in _environment_reads(path)
    ]
    assert found == [], "read these through crmapp/settings.py get_settings():\n" + "\n".join(found)


SESSION_USE = re.compile(r"\bsession\.(add|add_all|delete|merge|exec|execute|get|flush|commit)\(")


def test_jobs_state_and_pages_leave_rows_to_the_services():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python("jobs", "crmapp/state", "crmapp/pages")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SESSION_USE.search(line)
    ]
    assert found == [], "move these into a named service function:\n" + "\n".join(found)
