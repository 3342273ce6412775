"""`GET /api/media/<org>/<asset>/<signature>`: library media for networks that fetch by URL.

Instagram and Facebook download a post's images and videos from a public URL; the URL carries an
HMAC of the organisation and asset ids, so it cannot be guessed, and nothing else is served.
"""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crmapp.services.social import payload


async def media(request: Request) -> Response:
    """The asset's bytes (404 for anything that does not match exactly)."""
    try:
        org_id = uuid.UUID(request.path_params["org_id"])
        asset_id = uuid.UUID(request.path_params["asset_id"])
    except ValueError:
        return Response("Not found", status_code=404)
    found = payload.read_public(
        org_id, asset_id, request.path_params["token"], request.query_params.get("variant", "")
    )
    if found is None:
        return Response("Not found", status_code=404)
    data, content_type = found
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "public, max-age=3600"}
    )


api = Starlette(routes=[Route("/api/media/{org_id}/{asset_id}/{token}", media)])
