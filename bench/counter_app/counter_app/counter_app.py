"""One button, one number."""

import reflex as rx


class Counter(rx.State):
    """The count."""

    count: int = 0

    @rx.event
    def increment(self):
        """Add one."""
        self.count += 1


def index() -> rx.Component:
    """The page."""
    return rx.hstack(
        rx.button("Increment", id="increment", on_click=Counter.increment),
        rx.text(Counter.count, id="count"),
    )


app = rx.App()
app.add_page(index)
