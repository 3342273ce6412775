"""One module per network; importing this package registers every provider by name."""

from crmapp.services.social.providers import (  # noqa: F401  (each module registers its class)
    bluesky,
    facebook,
    instagram,
    linkedin,
    mastodon,
    sandbox,
    x,
)
