"""The web app's view of files: names, never paths.

The browser names programs, derivatives and platforms; a name matches :data:`NAME_RE` and
resolves only to ``<workspace>/<kind>s/<name>.toml`` or to the bundled data. A workspace file
may refer to other files (a program's ``variants``, a derivative's ``platform``); before any
such file is handed to the loader, every reference it makes is checked to stay inside the
workspace or to be a bundled name (:meth:`Workspace.check_references`). Writes go only to the
workspace, atomically, and never over a file that changed since the writer read it
(:meth:`Workspace.save`, optimistic concurrency on a content hash).

Layout of a workspace directory::

    programs/<name>.toml   derivatives/<name>.toml   platforms/<name>.toml   sweeps/<id>/
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import tomllib
from pathlib import Path

from skateboard.errors import SpecError

#: A name the browser may use (programs, derivatives, platforms, sweep ids).
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
KINDS = ("program", "derivative", "platform")
#: Largest TOML file accepted from the browser or the API (bytes). Bundled files are < 6 kB.
MAX_TOML_BYTES = 64 * 1024


class NotFound(SpecError):
    """A name that is neither in the workspace nor bundled (HTTP 404)."""


class TooLarge(SpecError):
    """An upload over the size limit (HTTP 413)."""


class Conflict(Exception):
    """A save refused because the file changed since it was loaded (HTTP 409)."""


def check_name(name: str, what: str = "name") -> str:
    """The name, or a SpecError saying what a name may be."""
    if not isinstance(name, str) or not NAME_RE.match(name) or ".." in name:
        raise SpecError(f"invalid {what}", field=what, value=name,
                        allowed="1-64 characters a-z 0-9 . _ -, starting with a letter or digit "
                                "(a name, not a path)")
    return name


def version_of(data: bytes) -> str:
    """The content version of a file: SHA-256 of its bytes (first 16 hex digits)."""
    return hashlib.sha256(data).hexdigest()[:16]


def _bundled_dir(kind: str) -> Path:
    from skateboard.api import DATA_DIR

    return DATA_DIR / f"{kind}s"


class Workspace:
    """A workspace directory (created on first write) and the bundled data beside it."""

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser().resolve()
        self._lock = threading.Lock()

    # --- locations ---
    def folder(self, kind: str) -> Path:
        if kind not in KINDS:
            raise SpecError("unknown kind", field="kind", value=kind, allowed=", ".join(KINDS))
        return self.root / f"{kind}s"

    @property
    def sweeps(self) -> Path:
        return self.root / "sweeps"

    def inside(self, path: Path) -> bool:
        """True when ``path`` (symlinks followed) lies inside the workspace."""
        try:
            Path(path).resolve().relative_to(self.root)
            return True
        except ValueError:
            return False

    def workspace_names(self, kind: str) -> list[str]:
        folder = self.folder(kind)
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.toml") if NAME_RE.match(p.stem)
                      and self.inside(p))

    def bundled_names(self, kind: str) -> list[str]:
        return sorted(p.stem for p in _bundled_dir(kind).glob("*.toml"))

    def listing(self, kind: str) -> list[dict]:
        """``[{name, source}]``: workspace files first (they shadow bundled ones of that name)."""
        ws = self.workspace_names(kind)
        return ([{"name": n, "source": "workspace"} for n in ws]
                + [{"name": n, "source": "bundled"} for n in self.bundled_names(kind) if n not in ws])

    def locate(self, kind: str, name: str) -> tuple[Path, str]:
        """(path, "workspace" | "bundled") of a named file; SpecError listing the names."""
        check_name(name, kind)
        path = self.folder(kind) / f"{name}.toml"
        if path.is_file() and self.inside(path):
            return path, "workspace"
        path = _bundled_dir(kind) / f"{name}.toml"
        if path.is_file():
            return path, "bundled"
        from skateboard.errors import unknown_name
        e = unknown_name(kind, name, [x["name"] for x in self.listing(kind)])
        raise NotFound(e.message, field=kind, value=name, allowed=e.allowed)

    def display(self, path: str | Path | None) -> str | None:
        """A file as shown to the browser: ``workspace:<rel>`` or ``bundled:<rel>``."""
        if path is None:
            return None
        p = Path(path)
        for base, tag in ((self.root, "workspace"), (_bundled_dir("program").parent, "bundled")):
            try:
                return f"{tag}:{p.resolve().relative_to(base.resolve())}"
            except ValueError:
                continue
        return p.name

    def public_error(self, exc: SpecError) -> SpecError:
        """The same error with the file shown as :meth:`display` does (no server paths)."""
        return SpecError(exc.message, file=self.display(exc.file) if exc.file else None,
                         field=exc.field, value=exc.value, allowed=exc.allowed)

    # --- references ---
    def _check_ref(self, kind: str, ref, holder: Path, field: str) -> None:
        if not isinstance(ref, str):
            return  # the loader reports the type
        if "/" not in ref and "\\" not in ref and not ref.endswith(".toml"):
            return  # a bundled name
        target = (holder.parent / ref)
        if Path(ref).is_absolute() or not self.inside(target):
            raise SpecError(f"a {kind} reference must be a bundled name or a file inside the "
                            "workspace", file=self.display(holder), field=field, value=ref,
                            allowed=f"a bundled {kind} name, or a relative path into the workspace")
        if target.is_file() and kind == "derivative":
            self.check_references("derivative", target)

    def check_references(self, kind: str, path: Path) -> None:
        """Refuse a workspace file that refers to a file outside the workspace."""
        if not self.inside(path):
            return  # bundled files refer to bundled names only
        data = self.read_toml(path)
        if kind == "program":
            for i, ref in enumerate(data.get("variants") or []):
                self._check_ref("derivative", ref, path, f"variants[{i}]")
        elif kind == "derivative":
            self._check_ref("platform", data.get("platform"), path, "platform")

    def read_toml(self, path: Path) -> dict:
        raw = Path(path).read_bytes()
        return parse_toml(raw, self.display(path))

    # --- writing ---
    def version(self, kind: str, name: str) -> str | None:
        """Content version of the workspace file, or None when there is none."""
        path = self.folder(kind) / f"{check_name(name, kind)}.toml"
        try:
            return version_of(path.read_bytes())
        except FileNotFoundError:
            return None

    def save(self, kind: str, name: str, text: str, base_version: str | None) -> str:
        """Write ``<kind>s/<name>.toml`` in the workspace; return its new version.

        base_version : the version the writer loaded (None: the writer expects no file).
        Raises Conflict when the file's version differs (someone saved in between), SpecError
        for a bundled name (a bundled file is never shadowed by a save) or a bad name."""
        check_name(name, kind)
        data = text.encode("utf-8")
        if len(data) > MAX_TOML_BYTES:
            raise TooLarge("file too large", field="toml", value=f"{len(data)} bytes",
                            allowed=f"at most {MAX_TOML_BYTES} bytes")
        if name in self.bundled_names(kind) and self.version(kind, name) is None:
            raise SpecError(f"a bundled {kind} has this name", field="name", value=name,
                            allowed="another name (bundled files are never replaced)")
        folder = self.folder(kind)
        path = folder / f"{name}.toml"
        with self._lock:
            current = self.version(kind, name)
            if current != base_version:
                if current is None:
                    raise Conflict(f"{kind} {name!r} was deleted since it was loaded")
                if base_version is None:
                    raise Conflict(f"{kind} {name!r} already exists in the workspace; load it "
                                   "first (or choose another name)")
                raise Conflict(f"{kind} {name!r} changed since it was loaded (someone else saved "
                               "it); reload it and apply your changes again")
            folder.mkdir(parents=True, exist_ok=True)
            if not self.inside(folder):
                raise SpecError("the workspace folder leads outside the workspace",
                                field="name", value=name)
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        return version_of(data)


def parse_toml(raw: bytes, where: str | None) -> dict:
    """TOML bytes to a dict; size, encoding and syntax problems are SpecErrors."""
    if len(raw) > MAX_TOML_BYTES:
        raise TooLarge("file too large", file=where, value=f"{len(raw)} bytes",
                        allowed=f"at most {MAX_TOML_BYTES} bytes")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text", file=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"malformed TOML: {exc}", file=where) from None


__all__ = ["Conflict", "KINDS", "NotFound", "TooLarge", "MAX_TOML_BYTES", "NAME_RE", "Workspace", "check_name",
           "parse_toml", "version_of"]
