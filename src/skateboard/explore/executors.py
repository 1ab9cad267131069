"""Where chunks run: in this process, or on a Dask cluster.

An executor maps ``fn(plan, index)`` over chunk indices and yields ``(index, result)`` as
chunks finish (in any order). At most a few chunks are in flight at once, so memory stays
bounded whatever the number of chunks; results come back to the caller, which writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from skateboard.errors import SpecError

#: Default number of worker processes of a local Dask cluster.
DEFAULT_WORKERS = 2


class LocalExecutor:
    """Chunks one after the other in this process (the engine's kernel already uses every
    core through Numba's thread pool)."""

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def map(self, fn: Callable[[Any, int], Any], plan: Any,
            indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        for i in indices:
            yield i, fn(plan, i)


class DaskExecutor:
    """Chunks as tasks on a Dask cluster.

    Parameters
    ----------
    scheduler : address of a running scheduler (``tcp://host:8786``); None starts a
        ``distributed.LocalCluster`` of ``n_workers`` single-threaded processes.
    n_workers : workers of the local cluster.
    client : an existing ``distributed.Client`` to use instead (not closed on exit).
    in_flight : chunks submitted ahead per worker thread (bounds the memory of results waiting
        to be written).
    """

    def __init__(self, scheduler: str | None = None, *, n_workers: int = DEFAULT_WORKERS,
                 client: Any = None, in_flight: int = 2):
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.in_flight = in_flight
        self._client = client
        self._own: list = []

    def __enter__(self) -> "DaskExecutor":
        from distributed import Client, LocalCluster

        if self._client is None:
            if self.scheduler is None:
                if self.n_workers < 1:
                    raise SpecError("must be at least 1", field="--workers", value=self.n_workers)
                cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
                self._own.append(cluster)
                self._client = Client(cluster)
            else:
                try:
                    self._client = Client(self.scheduler, timeout="20s")
                except (OSError, TimeoutError) as exc:
                    raise SpecError(f"cannot reach the Dask scheduler: {exc}", field="--scheduler",
                                    value=self.scheduler) from None
            self._own.insert(0, self._client)
        return self

    def __exit__(self, *exc) -> None:
        for obj in self._own:
            try:
                obj.close()
            except Exception:  # noqa: BLE001 - closing must not hide the real error
                pass
        self._own.clear()

    @property
    def client(self):
        return self._client

    def map(self, fn: Callable[[Any, int], Any], plan: Any,
            indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        client = self._client
        threads = max(1, sum(client.nthreads().values()))
        limit = max(1, self.in_flight * threads)
        plan_future = client.scatter(plan, broadcast=True, hash=False)
        pending = iter(indices)
        live: dict = {}   # future key -> (future, chunk index)

        def submit_next():
            i = next(pending, None)
            if i is None:
                return None
            f = client.submit(_on_one_thread, fn, plan_future, i, pure=False)
            live[f.key] = (f, i)
            return f

        ac = as_completed([f for f in (submit_next() for _ in range(limit)) if f is not None])
        try:
            for f in ac:
                _, i = live.pop(f.key)
                result = f.result()
                f.release()
                nxt = submit_next()
                if nxt is not None:
                    ac.add(nxt)
                yield i, result
        finally:
            for f, _ in live.values():
                f.cancel()
            plan_future.release()


def _on_one_thread(fn, plan, i):
    """Run a chunk on a Dask worker with the engine on one thread (``numba.set_num_threads``,
    which :func:`skateboard.engine.simulate.engine_threads` reads): Dask already runs one task
    per worker thread, and the engine's threads on top would oversubscribe the cores (workers x
    cores threads). Results are the same: each variant's result does not depend on threading."""
    import numba

    numba.set_num_threads(1)
    return fn(plan, i)


def make_executor(kind: str, *, scheduler: str | None = None,
                  n_workers: int = DEFAULT_WORKERS) -> LocalExecutor | DaskExecutor:
    """``"local"`` or ``"dask"``."""
    if kind == "local":
        return LocalExecutor()
    if kind == "dask":
        return DaskExecutor(scheduler, n_workers=n_workers)
    raise SpecError("unknown executor", field="--executor", value=kind, allowed="local, dask")


__all__ = ["DEFAULT_WORKERS", "DaskExecutor", "LocalExecutor", "make_executor"]
