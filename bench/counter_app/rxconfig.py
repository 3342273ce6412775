"""A bare Reflex counter app: the baseline for bench/ui_roundtrip.py."""

import reflex as rx

config = rx.Config(
    app_name="counter_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin()],
)
