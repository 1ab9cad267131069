# %% [markdown]
# # What if the Hongqi BEV were lighter and slipperier?
#
# A notebook in percent format (`# %%` cells): open it in Jupyter with jupytext, in VS Code or
# PyCharm as a notebook, or run it as a script (`.venv/bin/python examples/notebook/hongqi_bev_what_if.py`);
# `tests/test_api.py` runs it. It loads the bundled program, changes the Hongqi BEV's mass and
# drag coefficient, evaluates both in Europe and the US, compares, and plots.

# %%
import skateboard as sb

prog = sb.load_program("hongqi-on-b10")
bev = prog.variant("hongqi-b10-bev")
print(bev.name, f"{bev.curb_mass:.0f} kg, Cd {bev.drag_coefficient}")

# %% [markdown]
# `Variant.replace` checks its values as a program file would: units are welcome
# (`"1.70 t"`), a Cd of 27 or a negative mass raises `sb.SpecError`. The new variant gets a new
# name and keeps the Hongqi BEV's targets when it replaces it in the program.

# %%
light = bev.replace(name="hongqi-b10-bev-light", curb_mass="1.70 t", drag_coefficient=0.25)
what_if = prog.with_variant(light)                 # added beside the original (no targets)
what_if = what_if.with_variant(light.replace(name="hongqi-b10-bev-light-2"),
                               replaces="hongqi-b10-bev")   # replaces it, keeps its targets
try:
    bev.replace(drag_coefficient=27)
except sb.SpecError as exc:
    print("refused:", exc)

# %%
res = sb.evaluate(what_if, markets=["eu", "us"], variants=["hongqi-b10-bev-light",
                                                           "hongqi-b10-bev-light-2"])
res                                                # short repr; a table in Jupyter

# %%
df = res.to_pandas()
print(df[["variant", "market", "procedure", "range_km", "label_range_mi", "mpge",
          "consumption_wh_per_km", "motorway_range_130_km", "targets_met"]].to_string(index=False))

# %%
base = sb.evaluate(prog, markets=["eu"], variants=["hongqi-b10-bev"], motorway_cases=False)
gain = (df.loc[df["market"] == "eu", "range_km"].iloc[0]
        / base.to_pandas()["range_km"].iloc[0] - 1.0)
print(f"WLTP range gain of the lighter, slipperier body: {100 * gain:+.1f} %")

# %%
fig = res.plot()                                   # range by market and climate
print(fig.axes[0].get_title(), "|", res.plot("charging").axes[0].get_title())
fig                                                # shown inline in Jupyter
