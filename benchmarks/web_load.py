"""Load check of ``skateboard serve``: evaluate latency (one warm request, then 20 at once) and
how responsive ``/api/health`` stays while a 100 000-variant sweep runs.

    .venv/bin/python benchmarks/web_load.py [--workers 2] [--concurrent 20] [--sweep 100000]

Starts the server as a user would (``python -m skateboard.cli serve`` on a free loopback port,
a temporary workspace), talks to it over HTTP with the standard library only, prints the
figures and the machine's load average (other jobs on the machine slow every figure here).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PROGRAM = "hongqi-on-b10"


def request(url: str, body: dict | None = None, method: str | None = None, timeout: float = 600):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        payload = json.loads(r.read())
    return time.perf_counter() - t0, payload


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def describe(name: str, values: list[float]) -> str:
    return (f"{name}: n={len(values)} median {1e3 * statistics.median(values):.0f} ms, "
            f"p95 {1e3 * pct(values, 95):.0f} ms, max {1e3 * max(values):.0f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrent", type=int, default=20)
    ap.add_argument("--sweep", type=int, default=100_000)
    args = ap.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ws = tempfile.mkdtemp(prefix="skateboard-load-")
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "skateboard.cli", "serve", "--port", str(port),
                             "--workspace", ws, "--workers", str(args.workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.perf_counter()
        while True:
            try:
                request(base + "/api/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 120:
                    print("server did not start")
                    return 1
                time.sleep(0.2)
        print(f"host: {os.cpu_count()} cores, load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        body = {"program": PROGRAM}
        first, out = request(base + "/api/evaluate", body)
        print(f"first evaluate (waits for the workers to load the kernel): {first:.2f} s, "
              f"{len(out['rows'])} rows")
        for _ in range(args.workers):  # every worker has run one request
            request(base + "/api/evaluate", body)
        warm = [request(base + "/api/evaluate", body)[0] for _ in range(5)]
        print(describe("warm evaluate, one at a time (21 rows: 3 variants x 7 markets)", warm))

        # the edit page: one changed field, the edited variant re-evaluated, table and charts
        form = urllib.parse.urlencode({"program": PROGRAM, "variant": "hongqi-b10-bev",
                                       "top_hat.drag_coefficient": "0.30"}).encode()
        urllib.request.urlopen(urllib.request.Request(base + "/ui/edit/evaluate", data=form),
                               timeout=600).read()  # the first also evaluates the baseline
        page = []
        for _ in range(5):
            t0 = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(
                    base + "/ui/edit/evaluate", data=form), timeout=600) as r:
                assert b"drag_coefficient = 0.30" in r.read()
            page.append(time.perf_counter() - t0)
        print(describe("edit page update (POST /ui/edit/evaluate, Cd 0.30)", page))

        def edited(i: int) -> float:  # 20 users, 20 different drag coefficients
            cd = f"{0.26 + 0.003 * i:.3f}"
            return request(base + "/api/evaluate", {
                "program": PROGRAM, "edits": {"hongqi-b10-bev": {"top_hat.drag_coefficient": cd}}})[0]

        with ThreadPoolExecutor(args.concurrent) as pool:
            t0 = time.perf_counter()
            lat = list(pool.map(edited, range(args.concurrent)))
            wall = time.perf_counter() - t0
        print(describe(f"{args.concurrent} concurrent evaluate requests, each another Cd "
                       f"({args.workers} worker processes)", lat) + f"; all done in {wall:.2f} s")

        # a large sweep in the sweep worker; health and evaluate keep being answered
        vary = ["hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32",
                'hongqi-b10-bev.top_hat.curb_mass="1.7 t".."1.9 t"']
        _, st = request(base + "/api/sweeps", {"program": PROGRAM, "vary": vary,
                                               "samples": args.sweep, "method": "lhs"})
        sid = st["id"]
        health: list[float] = []
        during: list[float] = []
        stop = threading.Event()

        def evaluate_meanwhile():
            while not stop.is_set():
                during.append(request(base + "/api/evaluate", body)[0])
                time.sleep(1.0)

        th = threading.Thread(target=evaluate_meanwhile, daemon=True)
        th.start()
        t0 = time.perf_counter()
        while True:
            dt, _ = request(base + "/api/health")
            health.append(dt)
            _, st = request(base + f"/api/sweeps/{sid}")
            if st["state"] not in ("queued", "running"):
                break
            time.sleep(0.1)
        sweep_wall = time.perf_counter() - t0
        stop.set()
        th.join()
        print(f"sweep of {st['total']} variants: {st['state']} in {sweep_wall:.1f} s "
              f"({st['total'] / sweep_wall:,.0f} variants/s, EU WLTP per variant)")
        print(describe("  /api/health during the sweep", health))
        if during:
            print(describe("  evaluate during the sweep", during))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
