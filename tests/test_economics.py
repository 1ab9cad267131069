"""Economics: hand-computed costs, duties, compliance values, NPV/IRR, break-even, commonality,
and invariants (cost rises with pack energy and motor rating; landed >= ex-works)."""

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skateboard.economics import business as B
from skateboard.economics.analysis import Scenario, business_case, prepare, table
from skateboard.economics.commonality import commonality, part_table
from skateboard.economics.compliance import ComplianceRule, compliance_per_car, regulatory_co2
from skateboard.economics.cost import Features, features_of, variant_costs
from skateboard.economics.costbook import load_cost_book
from skateboard.economics.entry import duty_rate, entry_rules, landed_cost, luxury_car_tax
from skateboard.markets import load_market
from skateboard.spec import load_program, resolve_variant

BOOK = load_cost_book()
KWH = 3.6e6


def usd2022(variant):
    """Costs of one variant in the cost book's own money (USD of 2022, no conversion)."""
    f = features_of([resolve_variant(variant)], BOOK, "USD", 2022)
    return {k: float(v[0]) for k, v in variant_costs(f, BOOK, "USD", 2022).items()}


# ------------------------------------------------------------------------------ cost of a variant

def test_bev_cost_lines_from_the_curves():
    # Hongqi BEV: 67.1 kWh LFP, one 160 kW rear unit; production year 2026, t = 3
    c = usd2022("hongqi-b10-bev")
    per_kwh = 120.6 + 1535 / 67.1 ** 1.148 - 10.04 * 3 * math.exp(-0.08346 * 3)
    assert per_kwh == pytest.approx(109.4, abs=0.1)          # ECONOMICS: 60 kWh -> $111/kWh
    assert c["cost_pack"] == pytest.approx(67.1 * per_kwh, rel=1e-12)
    drive = (1.1097 * 160 + 323.22) + (1.26 * 160 + 559) + 339.37
    assert c["cost_drive"] == pytest.approx(drive, rel=1e-12)
    assert c["cost_range_extender"] == 0.0
    groups = [k for k in c if k.startswith("cost_") and k != "cost_total"]
    assert c["cost_total"] == pytest.approx(sum(c[k] for k in groups), rel=1e-12)
    # warranty 2.5 % of the rest
    assert c["cost_warranty"] == pytest.approx(0.025 * (c["cost_total"] - c["cost_warranty"]), rel=1e-12)


def test_erev_range_extender_from_the_curves():
    c = usd2022("hongqi-b10-erev")
    litres = 65.0 / 43.3                                       # 65 kW engine at 43.3 kW/l
    gen_kw = 65.0 * 0.94                                       # electrical output
    rex = ((324.71 * litres + 632.34) + (1.1097 * gen_kw + 323.22) + (1.26 * gen_kw + 559)
           + 519.5 + 250.0 + (292.8 * litres + 44.9) + 100.08)
    assert c["cost_range_extender"] == pytest.approx(rex, rel=1e-12)
    per_kwh = 120.6 + 1535 / 28.4 ** 1.148 - 10.04 * 3 * math.exp(-0.08346 * 3)
    assert c["cost_pack"] == pytest.approx(28.4 * per_kwh, rel=1e-12)
    assert per_kwh > 109.4                                      # small packs cost more per kWh


def test_conversion_to_report_money():
    f = features_of([resolve_variant("hongqi-b10-bev")], BOOK, "EUR", 2026)
    eur = variant_costs(f, BOOK, "EUR", 2026)["cost_drive"][0]
    usd = usd2022("hongqi-b10-bev")["cost_drive"]
    assert eur == pytest.approx(usd * 0.92387 * 330.857 / 292.655, rel=1e-12)


def _features(energy_kwh, power_kw):
    n = len(energy_kwh)
    z = np.zeros(n)
    return Features(gross_energy=np.asarray(energy_kwh, float) * KWH, lfp=np.ones(n, bool),
                    unit_power_1=np.asarray(power_kw, float) * 1e3, unit_power_2=z, rex_power=z,
                    rex_engine_power=z, curb_mass=np.full(n, 1800.0), pack_mass=np.full(n, 400.0),
                    drive_mass=np.full(n, 80.0), rex_mass=z, top_hat_cost=np.full(n, np.nan),
                    top_hat_rate=np.full(n, np.nan))


@settings(max_examples=50)
@given(st.lists(st.integers(100, 1500), min_size=2, max_size=20, unique=True),
       st.floats(50, 400))
def test_cost_rises_with_pack_energy(energies, power):
    e = np.sort(np.asarray(energies)) / 10.0          # 10..150 kWh in steps of 0.1 kWh
    total = variant_costs(_features(e, np.full(len(e), power)), BOOK, "USD", 2022)["cost_total"]
    assert np.all(np.diff(total) > 0)


@settings(max_examples=50)
@given(st.lists(st.integers(200, 5000), min_size=2, max_size=20, unique=True), st.floats(10, 150))
def test_cost_rises_with_motor_rating(powers, energy):
    p = np.sort(np.asarray(powers)) / 10.0            # 20..500 kW in steps of 0.1 kW
    c = variant_costs(_features(np.full(len(p), energy), p), BOOK, "USD", 2022)
    assert np.all(np.diff(c["cost_drive"]) > 0) and np.all(np.diff(c["cost_total"]) > 0)


@settings(max_examples=100)
@given(st.floats(0, 1e5), st.floats(0, 5e3), st.floats(0, 2.0), st.sampled_from(["cif", "fob"]))
def test_landed_at_least_ex_works(ex_works, shipping, rate, base):
    duty, landed = landed_cost(np.array([ex_works]), shipping, rate, base)
    assert landed[0] >= ex_works and duty[0] >= 0


# ------------------------------------------------------------------------------ market entry

def test_eu_duty_china_built_bev_and_erev():
    rules = entry_rules(load_market("eu"))
    bev, applied = duty_rate(rules, "china", "BEV", "FAW Hongqi")
    erev, _ = duty_rate(rules, "china", "EREV", "FAW Hongqi")
    assert bev == pytest.approx(0.10 + 0.207)                  # 10 % + cooperating CVD (2024/2754)
    assert erev == pytest.approx(0.10)                         # EREV/PHEV: no countervailing duty
    assert duty_rate(rules, "china", "BEV", "BYD")[0] == pytest.approx(0.27)
    assert duty_rate(rules, "eu", "BEV", "FAW Hongqi")[0] == 0.0
    assert len(applied) == 2
    # CIF: duty on ex-works + shipping
    duty, landed = landed_cost(np.array([20000.0]), 1000.0, bev, rules.duty_base)
    assert duty[0] == pytest.approx(0.307 * 21000.0)
    assert landed[0] == pytest.approx(21000.0 + 0.307 * 21000.0)


def test_australia_chafta_and_luxury_car_tax():
    rules = entry_rules(load_market("australia"))
    assert duty_rate(rules, "china", "BEV", "FAW Hongqi")[0] == 0.0
    assert duty_rate(rules, "japan", "BEV", "x")[0] == pytest.approx(0.05)
    tax = luxury_car_tax(rules.buyer_tax, np.array([100000.0, 100000.0]), np.array([0.0, 6.0]))
    assert tax[0] == pytest.approx(0.33 * (100000 - 91387) / 1.1)    # fuel-efficient threshold
    assert tax[1] == pytest.approx(0.33 * (100000 - 80567) / 1.1)


# ------------------------------------------------------------------------------ compliance

EU = ComplianceRule(kind="co2_per_g", currency="EUR", rate=95.0, target_g_per_km=93.6,
                    source="Reg. 2019/631", applies_from="2025-01-01")
NVES = ComplianceRule(kind="co2_per_g", currency="AUD", rate=50.0, target_g_per_km=117.0,
                      source="NVES Act 2024", applies_from="2025-07-01")


def test_eu_and_nves_compliance_values_from_the_formula():
    v, _ = compliance_per_car(EU, np.array(["BEV", "EREV"]), [0.0, 30.0], [np.nan] * 2, "short")
    assert v.tolist() == pytest.approx([95 * 93.6, 95 * (93.6 - 30.0)])
    v, _ = compliance_per_car(NVES, np.array(["BEV", "EREV"]), [0.0, 140.0], [np.nan] * 2, "short")
    assert v.tolist() == pytest.approx([50 * 117.0, 50 * (117.0 - 140.0)])   # above target: a cost
    v, _ = compliance_per_car(EU, np.array(["BEV"]), [0.0], [np.nan], "compliant")
    assert v.tolist() == [0.0]
    v, _ = compliance_per_car(EU, np.array(["BEV"]), [0.0], [np.nan], "compliant", credit_price=10.0)
    assert v.tolist() == pytest.approx([10.0 * 93.6])
    v, note = compliance_per_car(None, np.array(["BEV"]), [0.0], [np.nan], "short")
    assert np.isnan(v[0]) and "no compliance rule" in note


def test_uk_zev_credit_value():
    rule = ComplianceRule(**load_market("uk").compliance)
    v, _ = compliance_per_car(rule, np.array(["BEV", "EREV"]), [0.0, 25.0], [np.nan] * 2, "short")
    assert v.tolist() == pytest.approx([(1 - 0.33) * 12000, -0.33 * 12000])


def test_regulatory_co2_prefers_the_weighted_column():
    import pandas as pd
    t = pd.DataFrame({"co2_g_per_km": [10.0, 20.0], "co2_weighted_g_per_km": [np.nan, 40.0]})
    assert regulatory_co2(t).tolist() == [10.0, 40.0]
    assert regulatory_co2(t.drop(columns="co2_weighted_g_per_km")).tolist() == [10.0, 20.0]


# ------------------------------------------------------------------------------ NPV, IRR, break-even

def test_npv_irr_against_hand_calculation():
    flows = np.array([-100.0, 60.0, 60.0])
    assert B.npv(0.10, flows) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-12)
    x = (-60 + math.sqrt(60 ** 2 + 4 * 60 * 100)) / (2 * 60)   # 60 x^2 + 60 x - 100 = 0, x = 1/(1+r)
    assert B.irr(flows) == pytest.approx(1 / x - 1, rel=1e-9)
    assert B.payback_year(flows, 2025) == 2027
    assert math.isnan(B.irr(np.array([1.0, 2.0])))


def test_cash_flows_and_break_even_by_hand():
    # 100 cars a year in years 1 and 2 at 10 a car, 1500 up front, 300 homologation in year 1
    cf = B.cash_flows(np.array([[100.0, 100.0]]), np.array([10.0]), np.array([300.0]), [],
                      1500.0, 1, 3)
    assert cf.tolist() == [-1500.0, 700.0, 1000.0]
    k = B.break_even_scale(-1800.0, 2000.0)                    # undiscounted: fixed 1800, margin 2000
    assert k == pytest.approx(0.9)
    assert B.break_even_scale(-1.0, -1.0) is None


def test_shift_volumes_keeps_the_window():
    v = np.array([[12.0, 12.0, 12.0]])
    assert B.shift_volumes(v, 6).tolist() == [[6.0, 12.0, 12.0]]   # 6 months later, cut at the end
    assert B.shift_volumes(v, 0).tolist() == v.tolist()
    assert B.spread(120.0, 18, 3).tolist() == pytest.approx([80.0, 40.0, 0.0])


@pytest.fixture(scope="module")
def ctx():
    return prepare("hongqi-on-b10")


def test_break_even_volume_is_where_npv_crosses_zero(ctx):
    case = business_case(ctx)
    k = case["break_even_volume"] / case["volume_planned"]
    at = business_case(ctx, Scenario(volume=k))
    assert abs(at["npv_license"]) < 1e-6 * abs(case["npv_linear"]["license"][0])
    below = business_case(ctx, Scenario(volume=0.9 * k))["npv_license"]
    above = business_case(ctx, Scenario(volume=1.1 * k))["npv_license"]
    assert below < 0 < above
    assert case["npv_difference"] == pytest.approx(case["npv_license"] - case["npv_own_platform"])
    assert case["months_earlier"] == 45 - 18
    assert case["npv_license"] == pytest.approx(npf.npv(0.10, case["cash_flow_license"]))


def test_rows_hold_together(ctx):
    rows, _ = table(ctx)
    ok = rows[rows["landed_cost"].notna()]
    assert (ok["landed_cost"] >= ok["ex_works_cost"] - 1e-9).all()
    eu = ok[ok["market"] == "eu"].set_index("variant")
    for name in ("hongqi-b10-bev", "hongqi-b10-erev"):
        r = eu.loc[name]
        assert r["import_duty"] == pytest.approx(r["duty_rate"] * (r["ex_works_cost"] + r["shipping_cost"]))
    assert eu.loc["hongqi-b10-bev", "duty_rate"] == pytest.approx(0.307)
    assert eu.loc["hongqi-b10-erev", "duty_rate"] == pytest.approx(0.10)
    au = ok[ok["market"] == "australia"].set_index("variant")
    assert (au["import_duty"] == 0).all()                     # ChAFTA
    m = ok.dropna(subset=["price"])
    assert np.allclose(m["margin_per_vehicle"],
                       m["price"] - m["landed_cost"] + m["compliance_value"].fillna(0.0))


# ------------------------------------------------------------------------------ commonality

DERIVATIVE = '''name = "{name}"
label = "{name}"
maker = "x"
platform = "b10"
[top_hat]
curb_mass = "1785 kg"
drag_coefficient = 0.28
frontal_area = "2.6 m^2"
body = "{body}"
[options]
pack = "67kwh"
drive_units = ["rear"]
wheels = "19in"
'''


def _program(tmp_path, bodies):
    names = []
    for i, body in enumerate(bodies):
        name = f"d{i}"
        (tmp_path / f"{name}.toml").write_text(DERIVATIVE.format(name=name, body=body))
        names.append(f"{name}.toml")
    path = tmp_path / "program.toml"
    path.write_text('name = "p"\ntitle = "p"\nvariants = [' + ", ".join(f'"{n}"' for n in names) + "]\n")
    return load_program(path)


def test_commonality_share_everything_is_one(tmp_path):
    prog = _program(tmp_path, ["same", "same"])
    f = features_of(prog.variants, BOOK, "USD", 2022)
    c = commonality(part_table(prog.variants, variant_costs(f, BOOK, "USD", 2022)))
    assert c["cost_weighted"] == pytest.approx(1.0)
    assert c["part_count"] == pytest.approx(1.0)


def test_commonality_share_only_the_platform(tmp_path):
    prog = _program(tmp_path, ["one", "two"])
    f = features_of(prog.variants, BOOK, "USD", 2022)
    costs = variant_costs(f, BOOK, "USD", 2022)
    c = commonality(part_table(prog.variants, costs))
    platform_share = costs["platform_cost"].sum() / costs["cost_total"].sum()
    assert c["cost_weighted"] == pytest.approx(platform_share, rel=1e-12)
    # 9 parts each (no range extender), 6 shared (platform), 3 own: u = 12
    assert c["part_count"] == pytest.approx(1 - (12 - 9) / (18 - 9))
    assert costs["platform_cost_share"][0] == pytest.approx(platform_share)


def test_python_api_is_skateboard_economics():
    import skateboard

    r = skateboard.economics("hongqi-on-b10", markets=["eu"], sensitivity=False)
    df = r.to_pandas()
    assert list(df["market"].unique()) == ["eu"]
    assert {"landed_cost", "margin_per_vehicle", "platform_cost_share"} <= set(df.columns)
    assert r.business_case["npv_difference"] == pytest.approx(
        r.business_case["npv_license"] - r.business_case["npv_own_platform"])


def test_market_the_platform_cannot_serve_is_reported_not_costed(tmp_path):
    # the bundled C10 platform does not declare right-hand drive; the UK needs it
    path = tmp_path / "program.toml"
    path.write_text('''name = "c10-uk"
title = "C10 in the UK and the EU"
variants = ["leapmotor-c10"]
markets = ["uk", "eu"]
[business]
currency = "EUR"
price_year = 2026
start_year = 2025
discount_rate = 0.1
years = [2026, 2027]
[business.volumes.leapmotor-c10]
uk = [100, 100]
eu = [100, 100]
[business.prices.leapmotor-c10]
uk = "30000 GBP"
eu = "35000 EUR"
[business.license]
months_to_sop = 12
[business.own_platform]
development_cost = "1e8 EUR"
months_to_sop = 24
''')
    c = prepare(load_program(path))
    rows, _ = table(c)
    uk = rows[rows["market"] == "uk"].iloc[0]
    eu = rows[rows["market"] == "eu"].iloc[0]
    assert not uk["servable"] and np.isnan(uk["landed_cost"]) and "right-hand drive" in uk["note"]
    assert eu["servable"] and eu["landed_cost"] > eu["ex_works_cost"]
    case = business_case(c)
    assert any("leapmotor-c10 in uk" in w for w in case["warnings"])
    assert case["volume_planned"] == 200                       # the EU cars only
