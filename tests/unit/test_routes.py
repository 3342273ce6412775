"""Redirects after login never leave the site."""

from crmapp import routes


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
