"""``skateboard serve``: the browser front door, over the same Python API as the CLI.

FastAPI app (:func:`create_app`): a JSON API under ``/api`` (OpenAPI at ``/docs``) and pages
rendered with Jinja2, HTMX and Plotly.js (served from ``static/vendor``, no network needed).
Jobs run in worker processes (:mod:`skateboard.web.jobs`); the browser names programs,
derivatives and sweeps, never paths (:mod:`skateboard.web.workspace`). ``docs/web.md`` has
the user's view."""

from skateboard.web.app import create_app

__all__ = ["create_app"]
