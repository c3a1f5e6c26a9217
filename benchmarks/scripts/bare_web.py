"""The baseline of the web figure: GET /healthz on the bare framework, no service runtime.

Run by a web variant's own interpreter, in its venv, so the framework and server versions
are the service's own:

    python bare_web.py fastapi|aiohttp PORT

It serves {"status": "ok"} on 127.0.0.1:PORT until SIGTERM or SIGINT: FastAPI under
uvicorn with its access log off, aiohttp with `web.run_app`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

HOST = "127.0.0.1"
BODY = {"status": "ok"}


def serve_fastapi(port: int) -> None:
    fastapi: Any = importlib.import_module("fastapi")
    uvicorn: Any = importlib.import_module("uvicorn")
    app = fastapi.FastAPI()

    async def healthz() -> dict[str, str]:
        return BODY

    app.add_api_route("/healthz", healthz, methods=["GET"])
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def serve_aiohttp(port: int) -> None:
    web: Any = importlib.import_module("aiohttp.web")

    async def healthz(request: object) -> object:
        del request
        return web.json_response(BODY)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host=HOST, port=port, print=None, access_log=None)


SERVERS = {"fastapi": serve_fastapi, "aiohttp": serve_aiohttp}


def main() -> None:
    framework, port = sys.argv[1], int(sys.argv[2])
    if framework not in SERVERS:
        sys.exit(f"bare_web: no bare app for {framework!r}; known: {', '.join(SERVERS)}")
    SERVERS[framework](port)


if __name__ == "__main__":
    main()
