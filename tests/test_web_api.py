"""The web app's JSON API and pages through FastAPI's test client: every endpoint, the error
paths (unknown names, bad units, path traversal, oversized uploads, missing token, concurrent
saves), and results equal to the Python API's for the same input. One app (one worker
process plus the sweep worker) for the module."""

from __future__ import annotations

import io
import time
import tomllib

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from skateboard.errors import SpecError
from skateboard.evaluation import evaluate
from skateboard.jsonsafe import json_records
from skateboard.spec.loader import DATA_DIR
from skateboard.web import create_app
from skateboard.web.edits import to_toml
from skateboard.web.workspace import MAX_TOML_BYTES, NAME_RE

BEV = "hongqi-b10-bev"
PROGRAM = "hongqi-on-b10"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def client(ws):
    with TestClient(create_app(ws, workers=1)) as c:
        yield c


@pytest.fixture(scope="module")
def reference():
    return evaluate(PROGRAM)


def _derivative_raw(**top_hat) -> dict:
    raw = tomllib.loads((DATA_DIR / "derivatives" / f"{BEV}.toml").read_text())
    raw["top_hat"].update(top_hat)
    return raw


def _wait_sweep(client, sid, states=("done", "cancelled", "failed", "stopped"), timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = client.get(f"/api/sweeps/{sid}").json()
        if s["state"] in states:
            return s
        time.sleep(0.2)
    raise AssertionError(f"sweep {sid} still {s['state']}")


# --- health, programs ----------------------------------------------------------------------

def test_health_and_programs(client):
    assert client.get("/api/health").json()["status"] == "ok"
    progs = client.get("/api/programs").json()
    assert {"name": PROGRAM, "source": "bundled"}.items() <= next(
        p for p in progs if p["name"] == PROGRAM).items()
    info = client.get(f"/api/programs/{PROGRAM}").json()
    assert [v["name"] for v in info["variants"]] == ["leapmotor-b10", BEV, "hongqi-b10-erev"]
    assert info["reference"] == "leapmotor-b10" and len(info["markets"]) == 7
    bev = info["variants"][1]
    assert bev["values"]["top_hat.drag_coefficient"] == "0.28"
    assert "67kwh" in bev["choices"]["options.pack"]
    assert bev["source"] == f"bundled:derivatives/{BEV}.toml"  # no server path


def test_unknown_program_is_404_and_lists_the_names(client):
    r = client.get("/api/programs/no-such-program")
    assert r.status_code == 404 and PROGRAM in r.json()["allowed"]
    r = client.post("/api/evaluate", json={"program": "no-such-program"})
    assert r.status_code == 404


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", ".hidden", "a/b", "UPPER",
                                  "x" * 65, "%2e%2e", "a\\b", "/etc/passwd"])
def test_names_are_not_paths(client, name):
    assert not NAME_RE.match(name) or ".." in name
    r = client.post("/api/evaluate", json={"program": name})
    assert r.status_code == 400 and "a name, not a path" in r.json()["error"]
    r = client.put(f"/api/derivatives/{name}", json={"toml": "name = 'x'"})
    assert r.status_code in (400, 404, 405)  # 404/405: the router never matches a slash


def test_workspace_files_may_not_point_outside(client, ws, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text((DATA_DIR / "derivatives" / f"{BEV}.toml").read_text())
    text = f'name = "escape"\ntitle = "t"\nvariants = ["{outside}"]\n'
    r = client.put("/api/programs/escape", json={"toml": text})
    assert r.status_code == 400 and "inside the workspace" in r.json()["error"]
    rel = "../../" + outside.name
    r = client.put("/api/programs/escape", json={"toml": text.replace(str(outside), rel)})
    assert r.status_code == 400
    # a file put into the workspace by hand is checked before the loader reads it
    (ws / "programs").mkdir(exist_ok=True)
    (ws / "programs" / "sneaky.toml").write_text(text)
    r = client.post("/api/evaluate", json={"program": "sneaky"})
    assert r.status_code == 400 and "inside the workspace" in r.json()["error"]
    (ws / "programs" / "sneaky.toml").unlink()
    raw = _derivative_raw()
    raw.update(name="escape-d", platform=str(DATA_DIR / "platforms" / "b10.toml"))
    r = client.put("/api/derivatives/escape-d", json={"toml": to_toml(raw)})
    assert r.status_code == 400 and r.json()["field"] == "platform"
    assert not (ws / "derivatives" / "escape-d.toml").exists()


# --- evaluate --------------------------------------------------------------------------------

def test_evaluate_equals_the_python_api(client, reference):
    from skateboard.evaluation import COLUMNS as JSON_COLUMNS

    r = client.post("/api/evaluate", json={"program": PROGRAM})
    assert r.status_code == 200
    body = r.json()
    assert len(body["rows"]) == 21
    assert list(body["rows"][0]) == JSON_COLUMNS  # the keys of `skateboard evaluate --json`
    assert body["rows"] == json_records(reference.table)
    rid = body["result_id"]
    csv = client.get(f"/api/results/{rid}/results.csv")
    assert csv.status_code == 200 and len(pd.read_csv(io.StringIO(csv.text))) == 21
    pq = client.get(f"/api/results/{rid}/results.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(pq.content)), reference.table)
    html = client.get(f"/api/results/{rid}/report.html")
    assert html.status_code == 200 and "<html" in html.text and BEV in html.text
    assert client.get("/api/results/ffff/results.csv").status_code == 404


def test_evaluate_with_an_edit_equals_a_file_holding_it(client, tmp_path):
    # the same derivative written as files, evaluated by the Python API
    (tmp_path / "d.toml").write_text(to_toml(_derivative_raw(drag_coefficient=0.31)))
    (tmp_path / "p.toml").write_text('name = "p"\ntitle = "p"\nvariants = ["d.toml"]\n'
                                     'markets = ["eu", "china"]\n')
    want = json_records(evaluate(str(tmp_path / "p.toml")).table)
    r = client.post("/api/evaluate", json={
        "program": PROGRAM, "variants": [BEV], "markets": ["eu", "china"],
        "edits": {BEV: {"top_hat.drag_coefficient": "0.31"}}})
    got = r.json()["rows"]
    # the program's targets apply to the edited variant; the stand-alone file has none
    for row in got + want:
        row.pop("targets_met"), row.pop("targets_failed")
    assert got == want
    base = client.post("/api/evaluate", json={"program": PROGRAM, "variants": [BEV],
                                              "markets": ["eu"]}).json()["rows"][0]
    assert got[0]["range_km"] < base["range_km"]  # more drag, less range


def test_inline_derivative_is_added(client):
    raw = _derivative_raw(curb_mass="1.9 t")
    raw["name"] = "hongqi-heavy"
    r = client.post("/api/evaluate", json={"program": PROGRAM, "markets": ["eu"],
                                           "derivatives": [raw]})
    rows = {x["variant"]: x for x in r.json()["rows"]}
    assert set(rows) == {"leapmotor-b10", BEV, "hongqi-b10-erev", "hongqi-heavy"}
    assert rows["hongqi-heavy"]["range_km"] < rows[BEV]["range_km"]  # 115 kg heavier


def test_bad_unit_gives_the_loaders_message(client):
    r = client.post("/api/evaluate", json={"program": PROGRAM,
                                           "edits": {BEV: {"top_hat.curb_mass": "1.78 furlong"}}})
    assert r.status_code == 400
    from skateboard.spec import models as m
    with pytest.raises(SpecError) as exc:
        m.validate(m.Derivative, _derivative_raw(curb_mass="1.78 furlong"),
                   file=f"bundled:derivatives/{BEV}.toml")
    assert r.json()["error"] == exc.value.one_line()
    assert r.json()["field"] == "top_hat.curb_mass"
    r = client.post("/api/evaluate", json={"program": PROGRAM,
                                           "edits": {BEV: {"platform": "../x"}}})
    assert r.status_code == 400 and "not an editable field" in r.json()["error"]
    r = client.post("/api/evaluate", json={"program": PROGRAM, "markets": ["../eu"]})
    assert r.status_code == 400
    r = client.post("/api/evaluate", json={"program": PROGRAM, "markets": ["mars"]})
    assert r.status_code == 400 and "unknown market" in r.json()["error"]


# --- saving -----------------------------------------------------------------------------------

def test_save_refuses_a_stale_version(client, ws):
    body = {"base": BEV, "edits": {"top_hat.drag_coefficient": "0.27"}, "base_version": None}
    first = client.put("/api/derivatives/hongqi-low-drag", json=body)
    assert first.status_code == 200
    v1 = first.json()["version"]
    text = (ws / "derivatives" / "hongqi-low-drag.toml").read_text()
    assert tomllib.loads(text)["top_hat"]["drag_coefficient"] == 0.27
    # a second browser that also started from "no file" is refused
    again = client.put("/api/derivatives/hongqi-low-drag", json=body)
    assert again.status_code == 409 and "already exists" in again.json()["error"]
    # browser A saves over the version it loaded; browser B, holding v1 too, is refused
    a = client.put("/api/derivatives/hongqi-low-drag",
                   json={**body, "edits": {"top_hat.drag_coefficient": "0.26"}, "base_version": v1})
    assert a.status_code == 200 and a.json()["version"] != v1
    b = client.put("/api/derivatives/hongqi-low-drag",
                   json={**body, "edits": {"top_hat.drag_coefficient": "0.25"}, "base_version": v1})
    assert b.status_code == 409 and "changed since it was loaded" in b.json()["error"]
    assert tomllib.loads((ws / "derivatives" / "hongqi-low-drag.toml").read_text())[
        "top_hat"]["drag_coefficient"] == 0.26
    # listing and download
    assert {"name": "hongqi-low-drag", "source": "workspace"} in client.get("/api/derivatives").json()
    got = client.get("/api/derivatives/hongqi-low-drag/toml")
    assert got.status_code == 200 and "0.26" in got.text


def test_save_never_shadows_a_bundled_file_and_checks_the_spec(client, ws):
    r = client.put(f"/api/derivatives/{BEV}", json={"base": BEV, "edits": {}})
    assert r.status_code == 400 and "bundled" in r.json()["error"]
    r = client.put("/api/derivatives/bad-unit", json={"base": BEV,
                                                      "edits": {"top_hat.frontal_area": "2 kg"}})
    assert r.status_code == 400 and r.json()["field"] == "top_hat.frontal_area"
    assert not (ws / "derivatives" / "bad-unit.toml").exists()


def test_oversized_uploads_are_refused(client, ws):
    big = "# " + "x" * (MAX_TOML_BYTES + 10) + "\n"
    r = client.put("/api/derivatives/big", json={"toml": big})
    assert r.status_code == 413
    r = client.put("/api/programs/big", content=b"{" + b" " * 400_000 + b"}",
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]
    assert not (ws / "derivatives" / "big.toml").exists()


def test_workspace_program_with_escaped_names(client, ws):
    """A variant called <script> stays text in every page."""
    raw = _derivative_raw()
    raw.update(name="<script>alert(1)</script>", label="<b>bold</b>")
    (ws / "derivatives").mkdir(exist_ok=True)
    (ws / "derivatives" / "xss.toml").write_text(to_toml(raw))
    text = 'name = "xss"\ntitle = "<img src=x onerror=alert(1)>"\nvariants = ["../derivatives/xss.toml"]\nmarkets = ["eu"]\n'
    r = client.put("/api/programs/xss", json={"toml": text})
    assert r.status_code == 200
    page = client.get("/ui/overview?program=xss").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<img" not in client.get("/?program=xss").text
    assert "<b>bold" not in client.get("/edit?program=xss").text


# --- pages ------------------------------------------------------------------------------------

def test_pages_render(client):
    for url in ("/", "/edit?program=hongqi-on-b10", "/compare", "/sweep", "/docs",
                "/static/vendor/htmx-2.0.11.min.js", "/static/vendor/plotly-basic-4.1.1.min.js"):
        assert client.get(url).status_code == 200, url
    # every script and style sheet of every page comes from this server: no network needed
    import re
    for url in ("/", "/edit?program=hongqi-on-b10", "/compare", "/sweep", "/docs"):
        refs = re.findall(r'(?:src|href)=["\']([^"\']+)', client.get(url).text)
        refs += re.findall(r'url: *["\']([^"\']+)', client.get(url).text)
        assert refs and all(r.startswith(("/", "#")) for r in refs), (url, refs)
    r = client.post("/ui/edit/toml", data={"program": PROGRAM, "variant": BEV,
                                           "save_name": "mine", "top_hat.curb_mass": "1.8 t"})
    raw = tomllib.loads(r.text)
    assert raw["name"] == "mine" and raw["top_hat"]["curb_mass"] == "1.8 t"


# --- sweeps -----------------------------------------------------------------------------------

def test_sweep_runs_and_summarises(client, ws):
    r = client.post("/api/sweeps", json={"program": PROGRAM, "chunk_size": 3, "vary": [
        f"{BEV}.top_hat.drag_coefficient=0.26..0.32:4", f"{BEV}.options.pack={{56kwh,67kwh}}"]})
    assert r.status_code == 202
    s = _wait_sweep(client, r.json()["id"])
    assert s["state"] == "done" and s["done"] == s["total"] == 8 and s["percent"] == 100
    summ = client.get(f"/api/sweeps/{s['id']}/summary").json()
    assert summ["n_rows"] == 8 and summ["n_front"] == 2
    from skateboard.explore import read_sweep
    df = read_sweep(ws / "sweeps" / s["id"])
    assert len(df) == 8 and df["feasible"].all()
    assert s["id"] in [x["id"] for x in client.get("/api/sweeps").json()]
    r = client.post("/api/sweeps", json={"program": PROGRAM, "vary": [f"{BEV}.top_hat.cd=1..2"]})
    assert r.status_code == 400 and "cd" in r.json()["error"]
    assert client.get("/api/sweeps/no-such-sweep").status_code == 404
    assert client.get("/api/sweeps/..").status_code in (400, 404)


def test_cancelled_sweep_resumes(client, ws):
    body = {"program": PROGRAM, "chunk_size": 200, "vary": [
        f"{BEV}.top_hat.drag_coefficient=0.26..0.32:100", f'{BEV}.top_hat.curb_mass="1.7 t".."1.9 t":100']}
    sid = client.post("/api/sweeps", json=body).json()["id"]
    deadline = time.monotonic() + 300
    while client.get(f"/api/sweeps/{sid}").json()["done"] == 0:  # running: a chunk is written
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.delete(f"/api/sweeps/{sid}").json()["state"] == "cancelling"
    s = _wait_sweep(client, sid)
    assert s["state"] == "cancelled" and 0 < s["done"] < s["total"] == 10000
    directory = ws / "sweeps" / sid
    import json
    assert json.loads((directory / "_manifest.json").read_text())["complete"] is False
    assert not list(directory.glob(".*.tmp"))
    # the same request resumes: finished chunks are kept, the rest run
    again = client.post("/api/sweeps", json=body)
    assert again.json()["id"] == sid
    s = _wait_sweep(client, sid)
    assert s["state"] == "done" and s["done"] == 10000
    assert json.loads((directory / "_manifest.json").read_text())["complete"] is True


# --- token ------------------------------------------------------------------------------------

def test_token_is_required_when_set(tmp_path):
    c = TestClient(create_app(tmp_path, workers=1, token="s3cret"))  # no lifespan: no workers
    assert c.get("/api/health").status_code == 401
    assert c.get("/").status_code == 401
    assert c.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    r = c.get("/api/health?token=s3cret")  # a browser's first visit: the token becomes a cookie
    assert r.status_code == 200 and "skateboard_token=s3cret" in r.headers["set-cookie"]
    assert c.get("/api/health").status_code == 200  # the client keeps the cookie


def test_cross_site_posts_are_refused(client, ws):
    """Another site's page cannot make the browser save into the workspace (no token needed
    on loopback, so the Origin is checked on every request that changes something)."""
    form = {"program": PROGRAM, "variant": BEV, "save_name": "csrf", "base_version": ""}
    r = client.post("/ui/edit/save", data=form, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/ui/edit/save", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert not (ws / "derivatives" / "csrf.toml").exists()
    r = client.post("/ui/edit/save", data=form, headers={"Origin": "http://testserver"})
    assert r.status_code == 200 and "saved as" in r.text
    assert (ws / "derivatives" / "csrf.toml").exists()
    r = client.post("/ui/edit/toml", data={**form, "save_name": 'x"\nSet-Cookie: a=b'})
    assert r.status_code == 400 and "Set-Cookie" not in r.headers


def test_serve_rejects_bad_options_in_one_line():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "skateboard.cli", "serve", "--port", "70000"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--port" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_serve_binds_loopback_unless_told():
    from skateboard.cli.serve import _loopback

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.10")


# --- crashes (last: they restart the module's workers) ---------------------------------------

def _kill_all(pool) -> None:
    import os
    import signal

    for pid in list(pool._processes):  # the executor's own table of its processes
        os.kill(pid, signal.SIGKILL)


def test_sweep_status_counts_only_recorded_parts(client, ws):
    """A worker killed after renaming a part into place but before recording it in the
    manifest leaves a file the dataset does not read and a resumed sweep recomputes: the status
    must not count it (the kill window of the crash test below, made deterministic)."""
    from skateboard.explore import read_sweep
    from skateboard.explore.store import read_manifest, write_manifest

    body = {"program": PROGRAM, "chunk_size": 4, "seed": 5, "samples": 12, "vary": [
        f"{BEV}.top_hat.drag_coefficient=0.26..0.32"]}
    sid = client.post("/api/sweeps", json=body).json()["id"]
    assert _wait_sweep(client, sid)["done"] == 12
    directory = ws / "sweeps" / sid
    manifest = read_manifest(directory)
    dropped = sorted(manifest["parts"])[-1]
    del manifest["parts"][dropped]
    manifest["complete"] = False
    write_manifest(directory, manifest)
    assert (directory / dropped).is_file()  # the unrecorded file is still there
    s = client.get(f"/api/sweeps/{sid}").json()
    assert s["done"] == len(read_sweep(directory)) == 8


def test_a_crashed_sweep_leaves_a_resumable_dataset(client, ws):
    body = {"program": PROGRAM, "chunk_size": 100, "seed": 3, "samples": 6000, "vary": [
        f"{BEV}.top_hat.drag_coefficient=0.26..0.32", f'{BEV}.top_hat.curb_mass="1.7 t".."1.9 t"']}
    sid = client.post("/api/sweeps", json=body).json()["id"]
    svc = client.app.state.service
    deadline = time.monotonic() + 300
    while client.get(f"/api/sweeps/{sid}").json()["done"] == 0:  # at least one chunk written
        assert time.monotonic() < deadline
        time.sleep(0.05)
    _kill_all(svc.pools.sweeps)
    s = _wait_sweep(client, sid)
    assert s["state"] == "failed" and 0 < s["done"] < 6000
    directory = ws / "sweeps" / sid
    from skateboard.explore import read_sweep
    assert len(read_sweep(directory)) == s["done"]  # every part file is whole
    r = client.post("/api/sweeps", json=body)  # a new sweep process resumes it
    assert r.status_code == 202 and r.json()["state"] in ("queued", "running"), r.json()
    s = _wait_sweep(client, sid)
    assert s["state"] == "done" and s["done"] == 6000, s
    df = read_sweep(directory)
    assert len(df) == 6000 and df["sample"].tolist() == list(range(6000))


def test_a_crashed_worker_fails_one_request(client):
    svc = client.app.state.service
    old = svc.pools.interactive
    _kill_all(old)
    deadline = time.monotonic() + 60
    while not old._broken:  # the executor notices the dead process
        assert time.monotonic() < deadline
        time.sleep(0.05)
    r = client.post("/api/evaluate", json={"program": PROGRAM, "markets": ["eu"]})
    assert r.status_code == 503 and "restarted" in r.json()["error"]
    r = client.post("/api/evaluate", json={"program": PROGRAM, "markets": ["eu"]})
    assert r.status_code == 200 and len(r.json()["rows"]) == 3


# --- economics and optimisation views (issue 19 item 6: the Python API's results, no other path) ---

def test_economics_endpoint_equals_the_python_api(client):
    import skateboard as sb

    r = client.get("/api/programs/hongqi-on-b10/economics")
    assert r.status_code == 200, r.text
    body = r.json()
    want = sb.economics("hongqi-on-b10").to_dict()
    assert body["rows"] == want["rows"]               # the keys of `skateboard economics --json`
    assert body["business_case"]["npv_difference"] == pytest.approx(
        want["business_case"]["npv_difference"], rel=1e-12)
    assert [t["driver"] for t in body["tornado"]] == [t["driver"] for t in want["tornado"]]


def test_economics_of_an_unknown_program_is_404(client):
    r = client.get("/api/programs/no-such-program/economics")
    assert r.status_code == 404


def test_economics_page_shows_the_business_case(client):
    r = client.get("/economics?program=hongqi-on-b10")
    assert r.status_code == 200
    assert 'id="business-case"' in r.text and "npv_difference" in r.text
    assert 'class="economics-data"' in r.text and 'id="chart-tornado"' in r.text


def test_optimise_endpoint_equals_the_cli_and_refuses_a_bad_objective(client):
    req = {"program": "hongqi-on-b10", "variant": "hongqi-b10-bev",
           "vary": ["pack={56kwh,67kwh}"], "objectives": ["min:cost_total"], "markets": ["eu"],
           "population": 4, "generations": 2}
    r = client.post("/api/optimise", json=req)
    assert r.status_code == 200, r.text
    best = r.json()["best"]
    # the 56 kWh pack cannot reach the Hongqi BEV's 420 km in the EU, so the best is 67 kWh
    assert best["options.pack"] == "67kwh" and best["targets_met"] is True
    bad = client.post("/api/optimise", json={**req, "objectives": ["min:no_such_column"]})
    assert bad.status_code == 400 and "no_such_column" in bad.json()["error"]
