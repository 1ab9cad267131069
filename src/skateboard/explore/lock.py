"""One writer per sweep directory: ``DIR/_sweep.lock`` with the writer's process id and host.

Two sweeps writing into one directory would recompute each other's parts and delete each
other's temporary files; the second one is refused with one line naming the first (process,
host, start time). ``docs/sweep.md``, "How sweeps stay consistent", has the user's view.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import socket
from pathlib import Path

from skateboard.errors import SpecError

#: The lock file's name: starts with ``_``, so Parquet dataset readers skip it.
LOCK = "_sweep.lock"


class SweepLock:
    """One writer per sweep directory: ``DIR/_sweep.lock`` holds the writer's process id, host
    and start time.

    On POSIX the file is also locked with ``flock`` (released by the kernel when the process
    dies, however it dies), so a lock left by a dead process on this host is taken over. A lock
    naming another host is refused even when ``flock`` is free (whether that process lives
    cannot be checked from here, and network file systems may not share ``flock``): delete the
    file by hand if that sweep is gone. Without ``fcntl`` (Windows) the file is created
    exclusively and never taken over (whether a process lives is not checked there safely:
    ``os.kill(pid, 0)`` sends Ctrl-C on Windows), so a killed sweep's lock is deleted by hand.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.path = self.directory / LOCK
        self.fd: int | None = None
        self.host = socket.gethostname()

    # --- messages ---
    def _busy(self, info: dict, note: str = "") -> SpecError:
        pid = info.get("pid", "?")
        host = info.get("host", "?")
        since = info.get("started", "?")
        return SpecError(f"another sweep is writing to this directory: process {pid!s:.20} on "
                         f"host {host!s:.64} since {since!s:.32}{note}", file=str(self.directory),
                         field="--out", allowed="wait for it to finish or use another --out DIR; "
                         f"if that process is gone, delete {self.path}")

    @staticmethod
    def _parse(data: bytes) -> dict:
        try:
            info = json.loads(data.decode("utf-8", "replace") or "{}")
        except ValueError:
            return {}
        return info if isinstance(info, dict) else {}

    def _content(self) -> bytes:
        return json.dumps({"pid": os.getpid(), "host": self.host, "started": _dt.datetime.now(
            _dt.timezone.utc).isoformat(timespec="seconds")}).encode()

    # --- acquire / release ---
    def acquire(self) -> "SweepLock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self._acquire_exclusive()
        for _ in range(100):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise SpecError(f"cannot create the lock file ({exc.strerror or exc})",
                                file=str(self.path), field="--out",
                                allowed="a directory this user may write") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                info = self._parse(os.read(fd, 4096))
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise self._busy(info) from None
                raise SpecError(f"cannot lock the directory ({exc.strerror or exc})",
                                file=str(self.path), field="--out",
                                allowed="a file system with flock (e.g. a local disk)") from None
            try:  # the file we locked must still be the one at the path (not unlinked meanwhile)
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            info = self._parse(os.read(fd, 4096))
            if info.get("host") not in (None, self.host):
                os.close(fd)
                raise self._busy(info, " (a lock of another host is not taken over)")
            # free, or left by a dead process of this host (flock died with it): ours now
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, self._content())
            os.fsync(fd)
            self.fd = fd
            return self
        raise self._busy({}, " (the lock file keeps changing)")  # pragma: no cover

    def _acquire_exclusive(self) -> "SweepLock":  # pragma: no cover - Windows
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise self._busy(self._parse(self.path.read_bytes())) from None
        except OSError as exc:
            raise SpecError(f"cannot create the lock file ({exc.strerror or exc})",
                            file=str(self.path), field="--out") from None
        os.write(fd, self._content())
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:  # unlink first, then unlock (see acquire); only our own file
            if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                self.path.unlink()
        except OSError:
            pass
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> "SweepLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


__all__ = ["LOCK", "SweepLock"]
