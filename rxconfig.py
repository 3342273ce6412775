"""Reflex configuration; Tandem's own settings (the origins below) come from crmapp/settings.py."""

import reflex as rx

from crmapp.settings import get_settings

config = rx.Config(
    app_name="crmapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # CORS and the event socket accept the app's own origin only (Reflex's default is any origin,
    # with credentials).
    cors_allowed_origins=get_settings().allowed_origins,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        ),
        rx.plugins.SitemapPlugin(),
    ],
)
