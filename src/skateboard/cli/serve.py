"""``skateboard serve``: run the web app (:mod:`skateboard.web`) with uvicorn."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Optional

import typer

from skateboard.errors import SpecError


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default loopback only)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workspace: Path = typer.Option(Path("skateboard-workspace"), "--workspace",
                                   help="The only directory the app reads your files from and "
                                   "writes to (programs/, derivatives/, platforms/, sweeps/)."),
    workers: int = typer.Option(2, "--workers", help="Worker processes for evaluations (one more "
                                "runs sweeps)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="SKATEBOARD_TOKEN",
                                        help="Require this token on every request (header "
                                        "'Authorization: Bearer TOKEN', or open /?token=TOKEN once)."),
) -> None:
    """Serve the web app: program overview, derivative editor, compare, sweeps, JSON API."""
    import uvicorn

    from skateboard.web import create_app

    if not 1 <= port <= 65535:
        raise SpecError("not a TCP port", field="--port", value=port, allowed="1..65535")
    if not 1 <= workers <= 64:
        raise SpecError("out of range", field="--workers", value=workers, allowed="1..64")
    if workspace.exists() and not workspace.is_dir():
        raise SpecError("not a directory", field="--workspace", value=str(workspace))
    if not _loopback(host) and not token:
        typer.echo(f"warning: serving on {host} without --token: anyone who can reach this "
                   "address can run jobs and write into the workspace", err=True)
    typer.echo(f"skateboard serve: http://{host}:{port}/ (workspace {workspace.resolve()}, "
               f"{workers} workers + 1 for sweeps; first start loads the kernel, ~5-30 s)")
    uvicorn.run(create_app(workspace, workers=workers, token=token), host=host, port=port,
                log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


__all__ = ["register", "serve"]
