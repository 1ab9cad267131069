"""The profile of ``benchmarks/kernel_floor.py``: its step-mix rule and its assembly counter,
on cases worked by hand (the benchmark itself prints figures; it is not timed here)."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "kernel_floor.py"
_spec = importlib.util.spec_from_file_location("kernel_floor", _PATH)
kf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kf)


def test_step_mix_follows_run_tiles_rule_by_hand():
    # steps k = 1..8 of speeds 0 0 0 1 2 2 2 1 0 on level ground:
    # (0,0) full; (0,0) again steady; (0,1) traction; (1,2) traction; (2,2) full;
    # (2,2) steady; (2,1) full; (1,0) full -> steady 2, traction 2, full 4 of 8
    speed = [0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 1.0, 0.0]
    mix = kf.step_mix(speed, [0.0] * 9, [1.0] * 9)
    assert mix == pytest.approx({"steady": 2 / 8, "traction": 2 / 8, "full": 4 / 8})
    # a grade change breaks a steady run: the key includes sin and cos of the grade
    mix = kf.step_mix([1.0] * 4, [0.0, 0.0, 0.1, 0.1], [1.0, 1.0, 0.995, 0.995])
    assert mix == pytest.approx({"steady": 1 / 3, "traction": 0.0, "full": 2 / 3})


ASM = """\
\t.text
_ZN10skateboard6engine5lanes4stepE:
\tvbroadcastsd\t%xmm0, %zmm1
\tmovq\t$0, %rax
.LBB0_1:
\tvmulpd\t(%rcx,%rax,8), %zmm1, %zmm2
\tvaddpd\t%zmm2, %zmm1, %zmm3
\tvsqrtpd\t%zmm3, %zmm3
\tvmovupd\t%zmm3, (%rdx,%rax,8)
\taddq\t$8, %rax
\tcmpq\t$16, %rax
\tjne\t.LBB0_1
\tretq
_ZN7cpython10skateboard6engine5lanes4stepE:
\tcallq\t*%rax
"""


def test_parse_step_counts_a_hand_made_loop():
    c = kf.parse_step(ASM)
    # loop: vmulpd vaddpd vsqrtpd vmovupd addq cmpq jne = 7; outside: vbroadcastsd movq retq = 3
    assert (c["body"], c["outside"], c["width"], c["loop"]) == (7, 3, 8, True)
    assert (c["fp_body"], c["ds_body"], c["fp_outside"]) == (3, 1, 0)
    # without the backward jump the whole function runs once per call
    c = kf.parse_step(ASM.replace("\tjne\t.LBB0_1\n", ""))
    assert (c["body"], c["outside"], c["loop"], c["fp_outside"]) == (0, 9, False, 3)
