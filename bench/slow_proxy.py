"""A card processor that answers `delay_ms` later: forwards to localstripe after a pause.

python bench/slow_proxy.py http://127.0.0.1:PORT LISTEN_PORT 50
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import ClientSession, web


def build(target: str, delay: float) -> web.Application:
    async def forward(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        async with request.app["client"].request(
            request.method,
            target + request.rel_url.path_qs,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            data=await request.read(),
        ) as answer:
            return web.Response(
                body=await answer.read(), status=answer.status, content_type="application/json"
            )

    async def open_client(app: web.Application) -> None:
        app["client"] = ClientSession()

    async def close_client(app: web.Application) -> None:
        await app["client"].close()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    app.on_startup.append(open_client)
    app.on_cleanup.append(close_client)
    return app


if __name__ == "__main__":
    target, port, delay_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    web.run_app(
        build(target, delay_ms / 1000), host="127.0.0.1", port=port, access_log=None, print=None
    )
