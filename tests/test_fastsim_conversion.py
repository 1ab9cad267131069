"""``benchmarks/engine_vs_fastsim.py``'s conversion of FASTSim-3 vehicles (from its stored
snapshot of FASTSim 3.1.0's fields, so FASTSim need not be installed): the drive-unit losses
fitted to FASTSim's efficiency curve reproduce it, and better than the generic map does. The
benchmark times and compares these vehicles; a conversion that passed peak power where peak
torque belongs went unnoticed from one refactoring to the next, so it is checked here."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "engine_vs_fastsim.py"
_spec = importlib.util.spec_from_file_location("engine_vs_fastsim", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.parametrize("key", sorted(bench.FASTSIM_310_SNAPSHOT))
def test_fitted_losses_reproduce_fastsims_efficiency_curve(key):
    from skateboard.physics.drive_unit import efficiency

    fields = bench.FASTSIM_310_SNAPSHOT[key]
    variant, _, fit_rms = bench.to_variant(key, fields, "fit")
    _, _, generic_rms = bench.to_variant(key, fields, "pmsm_generic")
    du = variant.drive_units[0]
    assert du.peak_power == pytest.approx(fields["em_pwr_out_max"])
    # the conversion's rule: constant-power range 3:1, so T_peak x w_max / P_peak = 3
    assert du.peak_torque * du.max_speed / du.peak_power == pytest.approx(3.0)
    assert fit_rms < 0.04 and fit_rms < generic_rms
    # the RMS error the benchmark prints, recomputed here over the torque envelope: FASTSim's
    # efficiency depends on the power fraction alone, Skateboard's losses on speed and torque
    w, t = np.meshgrid(np.linspace(0.0, du.max_speed, 41)[1:], np.linspace(0.0, du.peak_torque, 41)[1:],
                       indexing="ij")
    inside = w * t <= du.peak_power * (1 + 1e-12)
    eta = efficiency(w, t, peak_torque=du.peak_torque, peak_power=du.peak_power,
                     max_speed=du.max_speed, coefficients=du.loss_coefficients)
    eta_fs = np.interp(w * t / du.peak_power, fields["em_eff_frac"], fields["em_eff"])
    assert np.sqrt(np.mean((eta - eta_fs)[inside] ** 2)) == pytest.approx(fit_rms, rel=1e-9)
