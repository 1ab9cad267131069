"""The FastAPI application: JSON API, pages, static files, token and size checks."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from skateboard.errors import SpecError
from skateboard.web.workspace import Conflict, NotFound, TooLarge

HERE = Path(__file__).resolve().parent
#: Largest request body (bytes): a TOML file is at most 64 kB, a sweep request a few hundred bytes.
MAX_BODY = 256 * 1024
TOKEN_COOKIE = "skateboard_token"
SWAGGER_UI = "swagger-ui-5.35.0"


def _error_body(exc: SpecError) -> dict:
    return {"error": exc.one_line(), "message": exc.message, "file": exc.file,
            "field": exc.field, "value": None if exc.value is ... else str(exc.value),
            "allowed": exc.allowed}


class LimitsAndToken:
    """ASGI middleware: the token (when set) on every request, and the body size limit."""

    def __init__(self, app, token: str | None):
        self.app = app
        self.token = token

    def _authorised(self, scope) -> tuple[bool, bool]:
        """(authorised, came in the query string)"""
        if not self.token:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        for part in headers.get("cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == TOKEN_COOKIE:
                given.append(v)
        from urllib.parse import parse_qs
        q = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        ok = any(secrets.compare_digest(g.encode(), self.token.encode()) for g in given)
        okq = any(secrets.compare_digest(g.encode(), self.token.encode()) for g in q)
        return ok or okq, okq and not ok

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not _same_origin(scope):
            resp = JSONResponse({"error": "cross-site request refused (the Origin is not this "
                                 "server)"}, status_code=403)
            return await resp(scope, receive, send)
        ok, via_query = self._authorised(scope)
        if not ok:
            resp = JSONResponse({"error": "missing or wrong token (give it as 'Authorization: "
                                 "Bearer TOKEN', or open the page once with ?token=TOKEN)"},
                                status_code=401)
            return await resp(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            resp = JSONResponse({"error": f"request body too large; allowed: at most {MAX_BODY} "
                                 "bytes"}, status_code=413)
            return await resp(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise _TooLarge()
            return message

        async def send_with_cookie(message):
            if via_query and message["type"] == "http.response.start":
                cookie = (f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/")
                message = {**message, "headers": list(message["headers"])
                           + [(b"set-cookie", cookie.encode("latin-1"))]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_cookie)
        except _TooLarge:
            resp = JSONResponse({"error": f"request body too large; allowed: at most {MAX_BODY} "
                                 "bytes"}, status_code=413)
            await resp(scope, receive, send)


def _same_origin(scope) -> bool:
    """False for a browser's cross-site request (another site's page posting a form to this
    server): its Origin names another host than the one it asked. Tools that send no Origin
    (curl, scripts) pass."""
    from urllib.parse import urlsplit

    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    origin = headers.get("origin")
    if origin is None:
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    return urlsplit(origin).netloc == headers.get("host", "")


class _TooLarge(Exception):
    pass


def create_app(workspace: str | Path = "skateboard-workspace", *, workers: int = 2,
               token: str | None = None) -> FastAPI:
    """The app. ``workspace``: the only directory the app reads user files from and writes to
    (created on first write); ``workers``: interactive worker processes (plus one for
    sweeps); ``token``: when given, every request must carry it."""
    from skateboard.web import api, pages
    from skateboard.web.jobs import WorkerCrashed
    from skateboard.web.service import Service

    svc = Service(workspace, workers=workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        svc.start()
        yield
        svc.shutdown()

    app = FastAPI(title="Skateboard", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Evaluate and sweep EV platform derivatives: the same Python API "
                              "as the `skateboard` command line.")

    @app.get("/docs", include_in_schema=False)
    def docs():
        """Swagger UI from the vendored files (FastAPI's default loads it from a CDN)."""
        from fastapi.openapi.docs import get_swagger_ui_html

        base = f"/static/vendor/{SWAGGER_UI}"
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="Skateboard API",
                                   swagger_js_url=f"{base}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{base}/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg",
                                   swagger_ui_parameters={"validatorUrl": None})
    app.state.service = svc
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return _respond(request, _error_body(exc), 404)

    @app.exception_handler(TooLarge)
    async def _too_large(request: Request, exc: TooLarge):
        return _respond(request, _error_body(exc), 413)

    @app.exception_handler(SpecError)
    async def _spec_error(request: Request, exc: SpecError):
        return _respond(request, _error_body(exc), 400)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict):
        return _respond(request, {"error": str(exc)}, 409)

    @app.exception_handler(WorkerCrashed)
    async def _crashed(request: Request, exc: WorkerCrashed):
        return _respond(request, {"error": str(exc)}, 503)

    @app.exception_handler(KeyError)
    async def _key_error(request: Request, exc: KeyError):
        return _respond(request, {"error": f"not found: {exc.args[0] if exc.args else ''}"}, 404)

    app.add_middleware(LimitsAndToken, token=token)
    return app


def _respond(request: Request, body: dict, status: int):
    """JSON for the API; for the pages' HTMX requests, an escaped text fragment."""
    if request.url.path.startswith("/ui/"):
        import html
        return PlainTextResponse(html.escape(body["error"]), status_code=status)
    return JSONResponse(body, status_code=status)


__all__ = ["MAX_BODY", "create_app"]
