"""The workspace root (skateboard.workspace): specification and cycle files outside it are
refused before they are opened; bundled names always work."""

import threading
from pathlib import Path

import pytest

from skateboard import workspace as ws
from skateboard.cycles import load_cycle
from skateboard.errors import SpecError
from skateboard.spec import load_program, resolve_variant

ROOT = Path(__file__).resolve().parents[1]
CYCLE = "time_s,speed_kmh\n0,0\n1,3.6\n2,0\n"


@pytest.fixture
def tree(tmp_path):
    """tmp/work (the workspace) with a cycle, a program and a derivative; tmp/outside."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (work / "c.csv").write_text(CYCLE)
    (outside / "c.csv").write_text(CYCLE)
    text = (ROOT / "src/skateboard/data/derivatives/leapmotor-b10.toml").read_text()
    (work / "car.toml").write_text(text)
    (outside / "car.toml").write_text(text)
    (work / "program.toml").write_text('name = "p"\ntitle = "t"\nvariants = ["car.toml"]\n')
    return work, outside


def test_inside_is_read_outside_is_refused(tree):
    work, outside = tree
    with ws.workspace(work) as root:
        assert root == work.resolve()
        assert load_cycle(work / "c.csv").duration == 2.0
        assert load_program(work / "program.toml").variant_names == ["leapmotor-b10"]
        with pytest.raises(SpecError, match="drive-cycle file outside the workspace root") as err:
            load_cycle(outside / "c.csv")
        assert err.value.file == str(outside / "c.csv")
        with pytest.raises(SpecError, match="derivative file outside the workspace root") as err:
            (work / "p2.toml").write_text('name = "p"\ntitle = "t"\nvariants = ["../outside/car.toml"]\n')
            load_program(work / "p2.toml")
        assert err.value.field == "variants[0]" and err.value.value == "../outside/car.toml"


def test_refused_before_looking(tree):
    """A missing file and an existing one outside get the same answer: no probing."""
    work, outside = tree
    with ws.workspace(work):
        for name in ("c.csv", "no-such.csv"):
            with pytest.raises(SpecError, match="outside the workspace root"):
                load_cycle(outside / name)


def test_symlink_out_of_the_workspace_is_refused(tree):
    work, outside = tree
    (work / "link.csv").symlink_to(outside / "c.csv")
    (work / "linkdir").symlink_to(outside, target_is_directory=True)
    with ws.workspace(work):
        with pytest.raises(SpecError, match="outside the workspace root"):
            load_cycle(work / "link.csv")
        with pytest.raises(SpecError, match="outside the workspace root"):
            resolve_variant(work / "linkdir" / "car.toml")


def test_bundled_names_work_anywhere(tree):
    work, _ = tree
    with ws.workspace(work):
        assert "hongqi-b10-bev" in load_program("hongqi-on-b10").variant_names
        assert load_cycle("wltc_class3b").name == "wltc_class3b"
        assert resolve_variant("leapmotor-b10").platform == "b10"


def test_precedence_context_then_process_then_environment_then_cwd(tree, monkeypatch):
    work, outside = tree
    monkeypatch.delenv(ws.ENV_VAR, raising=False)
    monkeypatch.chdir(outside)
    assert ws.workspace_root() == outside.resolve()
    monkeypatch.setenv(ws.ENV_VAR, str(work))
    assert ws.workspace_root() == work.resolve()
    previous = ws.set_workspace_root(outside)
    try:
        assert previous is None and ws.workspace_root() == outside.resolve()
        with ws.workspace(work):
            assert ws.workspace_root() == work.resolve()
            with ws.workspace(outside):
                assert ws.workspace_root() == outside.resolve()
            assert ws.workspace_root() == work.resolve()
        assert ws.workspace_root() == outside.resolve()
    finally:
        ws.set_workspace_root(None)
    assert ws.workspace_root() == work.resolve()


def test_context_is_per_thread(tree):
    work, outside = tree
    seen = {}
    with ws.workspace(work):
        t = threading.Thread(target=lambda: seen.setdefault("root", ws.workspace_root()))
        t.start()
        t.join()
        assert ws.workspace_root() == work.resolve()
    assert seen["root"] != work.resolve()   # another request's thread keeps its own root


@pytest.mark.parametrize("bad", ["/no/such/dir", __file__, "a\x00b"])
def test_a_root_must_be_a_directory(bad):
    with pytest.raises(SpecError, match="must be an existing directory") as err:
        with ws.workspace(bad):
            pass
    assert err.value.field == "workspace root"
    with pytest.raises(SpecError, match="must be an existing directory") as err:
        ws.set_workspace_root(bad)
    assert err.value.field == "--root"


def test_nul_in_a_reference(tree):
    work, _ = tree
    with ws.workspace(work):
        with pytest.raises(SpecError, match="NUL"):
            load_cycle("a\x00b.csv")
