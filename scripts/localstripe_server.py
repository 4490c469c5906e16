"""Run localstripe (the local stand-in for Stripe's API) on 127.0.0.1, with no state file.

localstripe's own `localstripe --port N` listens on every interface and shares one pickle file
in /tmp between all instances. This launcher serves the same aiohttp app on loopback only, on the
given port (0 picks a free one), keeps its objects in memory, and prints `listening on PORT`
once it accepts connections, so callers can wait for that line.

localstripe is GPL: it runs here as a separate process; application code never imports it.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys


def _disable_state_file() -> None:
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]


async def _serve(port: int) -> None:
    from aiohttp import web
    from localstripe.server import app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print(f"listening on {sock.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    args = parser.parse_args()
    _disable_state_file()
    try:
        asyncio.run(_serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
