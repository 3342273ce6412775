"""The in-app help finds the README section that mentions a setting, whatever its title."""

from __future__ import annotations

import pytest

from crmapp.services.platform import readme

pytestmark = pytest.mark.unit


def test_the_section_that_mentions_the_setting_is_found(tmp_path) -> None:
    path = tmp_path / "README.md"
    path.write_text(
        "# Tandem\n\nIntro.\n\n## Install\n\nRun it.\n\n## Posting to networks\n\n"
        "### Settings\n\n| `TANDEM_X_CLIENT_ID` | X's client |\n\n## Tests\n\nmake test\n"
    )
    section = readme.section_mentioning("TANDEM_X_CLIENT_ID", path)
    assert section.startswith("## Posting to networks") and "### Settings" in section
    assert "make test" not in section and "Run it" not in section
    assert readme.section_mentioning("TANDEM_NOTHING", path) == ""
    assert readme.section_mentioning("TANDEM_X_CLIENT_ID", tmp_path / "missing.md") == ""


def test_the_shipped_readme_documents_the_social_settings() -> None:
    assert "TANDEM_META_APP_ID" in readme.section_mentioning("TANDEM_X_CLIENT_ID")
