"""`GET /api/media/<org>/<asset>/<signature>?expires=…`: library media for networks that
fetch by URL.

Instagram and Facebook download a post's images and videos from a public URL; the URL carries an
HMAC of the organisation and asset ids, the variant and the expiry, so it cannot be guessed or
extended, and nothing else is served. A genuine URL past its expiry gets 403, anything else 404.
"""

from __future__ import annotations

import time
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crmapp.services.platform.errors import PermissionDenied
from crmapp.services.social import payload


async def media(request: Request) -> Response:
    """The asset's bytes (404 for anything that does not match exactly)."""
    try:
        org_id = uuid.UUID(request.path_params["org_id"])
        asset_id = uuid.UUID(request.path_params["asset_id"])
    except ValueError:
        return Response("Not found", status_code=404)
    query = request.query_params
    try:
        found = payload.read_public(
            org_id,
            asset_id,
            request.path_params["token"],
            query.get("variant", ""),
            query.get("expires", ""),
        )
    except PermissionDenied as error:
        return Response(str(error), status_code=403)
    if found is None:
        return Response("Not found", status_code=404)
    data, content_type = found
    # Caches keep it no longer than the link lives.
    max_age = max(0, min(3600, int(query["expires"]) - int(time.time())))
    return Response(
        data, media_type=content_type, headers={"Cache-Control": f"public, max-age={max_age}"}
    )


api = Starlette(routes=[Route("/api/media/{org_id}/{asset_id}/{token}", media)])
