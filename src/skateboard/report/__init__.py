"""Tables, files, plots and the self-contained HTML report.

``write_report`` and ``render_html`` are imported lazily, so ``skateboard.report.files`` does
not pull in matplotlib."""

from skateboard.report.files import write_table_safely

__all__ = ["render_html", "write_report", "write_table_safely"]


def __getattr__(name):
    if name in ("write_report", "render_html"):
        from skateboard.report import html
        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
