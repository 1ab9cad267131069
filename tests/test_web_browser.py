"""The web app in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``)
driven by Selenium, against ``skateboard serve`` started as a user would start it.

One server and one browser for the module. Each test saves a screenshot of its page in its
temporary folder. Skipped, with the reason shown, only where Chromium or its driver is missing
(``.ci/run`` installs them)."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium not installed (apt-get install -y chromium chromium-driver)")
selenium = pytest.importorskip("selenium", reason="selenium not installed (test extra)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 120  # seconds: the first evaluate waits for a worker to load the kernel


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``skateboard serve`` on a free loopback port, with a fresh workspace."""
    ws = tmp_path_factory.mktemp("workspace")
    port = _free_port()
    log = open(ws.parent / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "skateboard.cli", "serve", "--port", str(port),
                             "--workspace", str(ws), "--workers", "1"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("skateboard serve did not start: "
                        + (ws.parent / "serve.log").read_text(errors="replace")[-2000:])
        time.sleep(0.3)
    yield {"url": url, "workspace": ws}
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                        "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def _wait(driver, cond, timeout=WAIT):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: cond(d))


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def _shot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def _retype(element, text: str) -> None:
    """Replace a field's text as a user does (select all, type): one change event on leaving
    the field, not one for the emptied field as WebElement.clear() would fire."""
    from selenium.webdriver.common.keys import Keys

    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text)


def _eu_range(driver) -> float:
    cell = driver.find_element(By.CSS_SELECTOR, '#delta tr[data-market="eu"] td[data-column="range_km"]')
    return _number(cell.text)


def test_overview_shows_the_bundled_program(server, browser, tmp_path):
    browser.get(server["url"] + "/?program=hongqi-on-b10")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results tbody tr"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == 21  # 3 variants x 7 markets
    assert {r.get_attribute("data-variant") for r in rows} == {
        "leapmotor-b10", "hongqi-b10-bev", "hongqi-b10-erev"}
    # targets spelled out where failed, coloured pass/fail
    assert browser.find_elements(By.CSS_SELECTOR, "#results td.pass")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-range .main-svg"))
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(server["url"]) for u in urls), urls  # no network needed
    _shot(browser, tmp_path, "overview")
    # filter by market: the server renders the EU rows only
    browser.find_element(By.CSS_SELECTOR, "#filter-market option[value='']")  # 'all' exists
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.ID, "filter-market")).select_by_visible_text("eu")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 3)
    assert {r.get_attribute("data-market")
            for r in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")} == {"eu"}


def test_download_csv_has_the_rows(server, browser, tmp_path):
    from skateboard.evaluation import evaluate

    browser.get(server["url"] + "/?program=hongqi-on-b10")
    link = _wait(browser, lambda d: d.find_elements(By.ID, "download-csv"))[0]
    link.click()
    target = browser.downloads / "results.csv"
    _wait(browser, lambda d: target.exists() and not list(browser.downloads.glob("*.crdownload")),
          timeout=60)
    df = pd.read_csv(target)
    ref = evaluate("hongqi-on-b10").table
    assert len(df) == 21 and list(df.columns) == list(ref.columns)
    got = df.set_index(["variant", "market"])["range_km"]
    want = ref.set_index(["variant", "market"])["range_km"]
    assert got.index.sort_values().equals(want.index.sort_values())
    for key, value in want.items():  # the CSV holds the Python API's figures (CSV rounding only)
        assert math.isclose(got[key], value, rel_tol=1e-12)
    _shot(browser, tmp_path, "overview-download")


def test_higher_drag_lowers_eu_range(server, browser, tmp_path):
    browser.get(server["url"] + "/edit?program=hongqi-on-b10&variant=hongqi-b10-bev")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#delta tr[data-market="eu"]'))
    before = _eu_range(browser)
    cd = browser.find_element(By.CSS_SELECTOR, '[data-field="top_hat.drag_coefficient"]')
    assert cd.get_attribute("value") == "0.28"
    t0 = time.monotonic()
    _retype(cd, "0.32")
    browser.find_element(By.ID, "save-name").click()  # leave the field: change fires
    _wait(browser, lambda d: "drag_coefficient = 0.32" in d.find_element(By.ID, "edit-results").text)
    seconds = time.monotonic() - t0
    after = _eu_range(browser)
    # more aerodynamic drag, more energy per km from the same pack: less range
    assert after < before
    delta = _number(browser.find_element(
        By.CSS_SELECTOR, '#delta tr[data-market="eu"] td[data-delta-column="range_km"]').text)
    assert delta < 0 and math.isclose(delta, after - before, abs_tol=0.11)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-trace .main-svg"))
    # save into the workspace: the file holds the edited value
    browser.find_element(By.ID, "save-button").click()
    ok = _wait(browser, lambda d: d.find_elements(By.ID, "save-ok"))[0]
    assert "workspace:derivatives/hongqi-b10-bev-edit.toml" in ok.text
    saved = server["workspace"] / "derivatives" / "hongqi-b10-bev-edit.toml"
    import tomllib
    assert tomllib.loads(saved.read_text())["top_hat"]["drag_coefficient"] == 0.32
    _shot(browser, tmp_path, "edit")
    print(f"edit -> table updated in {seconds:.2f} s")


def test_wrong_unit_shows_the_cli_message_next_to_the_field(server, browser, tmp_path):
    import tomllib

    from skateboard.errors import SpecError
    from skateboard.spec import models as m
    from skateboard.spec.loader import DATA_DIR

    browser.get(server["url"] + "/edit?program=hongqi-on-b10&variant=hongqi-b10-bev")
    _wait(browser, lambda d: d.find_elements(By.ID, "delta"))
    mass = browser.find_element(By.CSS_SELECTOR, '[data-field="top_hat.curb_mass"]')
    _retype(mass, "1.78 furlong")
    browser.find_element(By.ID, "save-name").click()
    box = browser.find_element(By.CSS_SELECTOR, '[data-error-for="top_hat.curb_mass"]')
    _wait(browser, lambda d: "furlong" in box.text)
    # the loader's message for a file holding that value, with the file shown by name
    path = DATA_DIR / "derivatives" / "hongqi-b10-bev.toml"
    raw = tomllib.loads(path.read_text())
    raw["top_hat"]["curb_mass"] = "1.78 furlong"
    with pytest.raises(SpecError) as exc:
        m.validate(m.Derivative, raw, file="bundled:derivatives/hongqi-b10-bev.toml")
    assert box.text.strip() == exc.value.one_line()
    assert "wrong unit" in box.text and "1.78 furlong" in box.text
    assert "invalid" in mass.get_attribute("class")
    _shot(browser, tmp_path, "edit-error")


def test_sweep_reaches_100_percent_and_draws_the_pareto_front(server, browser, tmp_path):
    browser.get(server["url"] + "/sweep?program=hongqi-on-b10")
    vary = browser.find_element(By.ID, "vary")
    _retype(vary, "hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32:3\n"
                   "hongqi-b10-bev.options.pack={56kwh,67kwh}")
    chunk = browser.find_element(By.ID, "chunk")
    _retype(chunk, "2")
    browser.find_element(By.ID, "start-sweep").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#sweep-progress[data-state="done"]'))
    assert browser.find_element(By.ID, "sweep-percent").text == "100 %"
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-pareto .main-svg"))
    counts = browser.find_element(By.ID, "summary-counts").text
    assert counts.startswith("6 variants, 6 feasible")
    front = browser.find_elements(By.CSS_SELECTOR, "#front tbody tr")
    # 56 kWh at the lowest drag and 67 kWh at the lowest drag: the two non-dominated designs
    assert len(front) == 2
    # the dataset is in the workspace, as the CLI writes it
    sweeps = list((server["workspace"] / "sweeps").glob("*/_manifest.json"))
    assert len(sweeps) == 1 and len(list(sweeps[0].parent.glob("part-*.parquet"))) == 3
    _shot(browser, tmp_path, "sweep")


def test_compare_page_shows_variants_side_by_side(server, browser, tmp_path):
    browser.get(server["url"] + "/compare?program=hongqi-on-b10&v=leapmotor-b10&v=hongqi-b10-bev")
    table = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, 'table.compare[data-market="eu"]'))[0]
    heads = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert heads == ["", "leapmotor-b10", "hongqi-b10-bev"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.compare")) == 7
    _shot(browser, tmp_path, "compare")


def test_api_docs_render_offline(server, browser, tmp_path):
    browser.get(server["url"] + "/docs")
    ops = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
    paths = {o.text.replace("\u200b", "") for o in ops}
    assert {"/api/health", "/api/evaluate", "/api/sweeps/{sid}"} <= paths
    # everything the page loaded came from the server itself
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(server["url"]) for u in urls), urls
    _shot(browser, tmp_path, "docs")


if os.environ.get("SKATEBOARD_SCREENSHOT"):
    def test_readme_screenshot(server, browser):
        """Writes docs/img/web-edit.png (run with SKATEBOARD_SCREENSHOT=1)."""
        browser.set_window_size(1500, 1100)
        browser.get(server["url"] + "/edit?program=hongqi-on-b10&variant=hongqi-b10-bev")
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-sinks .main-svg"))
        cd = browser.find_element(By.CSS_SELECTOR, '[data-field="top_hat.drag_coefficient"]')
        _retype(cd, "0.30")
        browser.find_element(By.ID, "save-name").click()
        _wait(browser, lambda d: "drag_coefficient = 0.30" in d.find_element(By.ID, "edit-results").text)
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-sinks .main-svg"))
        browser.execute_script("window.scrollTo(0, 0)")
        time.sleep(1)
        out = Path(__file__).resolve().parents[1] / "docs" / "img" / "web-edit.png"
        out.parent.mkdir(exist_ok=True)
        browser.save_screenshot(str(out))


def test_economics_page_shows_the_npv_and_the_tornado(server, browser, tmp_path):
    import skateboard as sb

    browser.get(server["url"] + "/economics?program=hongqi-on-b10")
    cell = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                      '#business-case td[data-key="npv_difference"]'))[0]
    want = sb.economics("hongqi-on-b10", sensitivity=False).business_case["npv_difference"]
    assert _number(cell.text) == pytest.approx(want, rel=1e-3)   # shown to one decimal
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-tornado .main-svg"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#economics-rows tbody tr")
    assert len(rows) == 21                                          # 3 variants x 7 markets
    _shot(browser, tmp_path, "economics")
