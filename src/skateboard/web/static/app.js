// Skateboard web app: draws the charts from the JSON the server embeds, places errors next to
// their fields, and a few navigation helpers. All text is set with textContent (never HTML).
(function () {
  "use strict";
  const layoutBase = { margin: { l: 55, r: 20, t: 40, b: 80 }, legend: { orientation: "h", y: -0.22 } };
  const config = { displaylogo: false, displayModeBar: false, responsive: true };

  function bars(id, title, traces, ytitle, stack) {
    const el = document.getElementById(id);
    if (!el || !window.Plotly) return;
    Plotly.react(el, traces.map(t => ({ type: "bar", name: t.name, x: t.x, y: t.y })),
      Object.assign({}, layoutBase, { title: { text: title }, barmode: stack ? "relative" : "group",
        yaxis: { title: { text: ytitle } } }), config);
  }

  function trace(id, data, variant) {
    const el = document.getElementById(id);
    const t = data[variant];
    if (!el || !t || !window.Plotly) return;
    Plotly.react(el, [
      { type: "scatter", mode: "lines", name: "speed [km/h]", x: t.t, y: t.speed },
      { type: "scatter", mode: "lines", name: "SOC [%]", x: t.t, y: t.soc, yaxis: "y2" }],
      Object.assign({}, layoutBase, { title: { text: variant + ": speed and SOC" }, hovermode: "x unified",
        xaxis: { title: { text: "time [s]" } }, yaxis: { title: { text: "speed [km/h]" } },
        yaxis2: { title: { text: "SOC [%]" }, overlaying: "y", side: "right" } }), config);
  }

  function drawCharts(root) {
    root.querySelectorAll("script.chart-data").forEach(s => {
      const c = JSON.parse(s.textContent);
      if (c.range) bars("chart-range", "Range by market [km]", c.range, "km");
      bars("chart-climate", "Range by ambient temperature [km]", c.climate, "km");
      bars("chart-sinks", "Energy by sink over WLTC 3b [kWh]", c.sinks, "kWh", true);
      const sel = document.querySelector("select.trace-variant");
      if (sel) {
        trace("chart-trace", c.traces, sel.value);
        sel.onchange = () => trace("chart-trace", c.traces, sel.value);
      }
    });
    root.querySelectorAll("script.economics-data").forEach(s => {
      const d = JSON.parse(s.textContent);
      const el = document.getElementById("chart-tornado");
      if (el && window.Plotly && d.tornado.length) {
        const t = d.tornado.slice().reverse();
        const base = d.base || 0;
        Plotly.react(el, [
          { type: "bar", orientation: "h", name: "low", y: t.map(r => r.driver), base: base,
            x: t.map(r => r.npv_difference_low - base) },
          { type: "bar", orientation: "h", name: "high", y: t.map(r => r.driver), base: base,
            x: t.map(r => r.npv_difference_high - base) }],
          Object.assign({}, layoutBase, { margin: { l: 110, r: 20, t: 40, b: 80 },
            title: { text: "Tornado: NPV licence minus own platform" },
            barmode: "overlay", xaxis: { title: { text: "NPV difference" } } }), config);
      }
      const w = document.getElementById("chart-waterfall");
      if (w && window.Plotly && d.waterfall.length) {
        const labels = ["cost", "ex-works", "landed", "price"];
        Plotly.react(w, d.waterfall.map(r => ({ type: "scatter", mode: "lines+markers", name: r.name,
          x: labels, y: r.steps })),
          Object.assign({}, layoutBase, { title: { text: "Per vehicle: cost to price by market" } }), config);
      }
    });
    root.querySelectorAll("script.optimise-data").forEach(s => {
      const d = JSON.parse(s.textContent);
      const el = document.getElementById("chart-optimise");
      if (!el || !window.Plotly || !d.rows.length) return;
      const cols = d.objectives.map(o => o.split(":").slice(1).join(":").replace("@", "_"));
      const key = c => Object.keys(d.rows[0]).find(k => k === c || k.endsWith(c)) || c;
      const x = key(cols[0]), y = cols.length > 1 ? key(cols[1]) : null;
      Plotly.react(el, [{ type: "scatter", mode: "markers", name: "best / Pareto set",
        x: d.rows.map(r => r[x]), y: y ? d.rows.map(r => r[y]) : d.rows.map((r, i) => i + 1) }],
        Object.assign({}, layoutBase, { title: { text: "Optimiser result" },
          xaxis: { title: { text: x } }, yaxis: { title: { text: y || "rank" } } }), config);
    });
    root.querySelectorAll("script.pareto-data").forEach(s => {
      const d = JSON.parse(s.textContent);
      const el = document.getElementById("chart-pareto");
      if (!el || !window.Plotly) return;
      const fx = d.front.map(r => r[d.x_column]), fy = d.front.map(r => r[d.y_column]);
      Plotly.react(el, [
        { type: "scatter", mode: "markers", name: "feasible variants",
          x: d.points.x, y: d.points.y, marker: { size: 4, color: "#a0aec0" } },
        { type: "scatter", mode: "lines+markers", name: "Pareto front", x: fx, y: fy,
          marker: { size: 7, color: "#c53030" } }],
        Object.assign({}, layoutBase, { title: { text: "Pareto front: " + d.x + " vs " + d.y },
          xaxis: { title: { text: d.x_column } }, yaxis: { title: { text: d.y_column } } }), config);
    });
  }

  function showFieldErrors(root) {
    const err = root.querySelector ? root.querySelector("#edit-error") : null;
    document.querySelectorAll("[data-error-for]").forEach(e => { e.textContent = ""; });
    document.querySelectorAll("#edit-form .invalid").forEach(e => e.classList.remove("invalid"));
    if (!err) return;
    const field = err.getAttribute("data-field") || "";
    let best = null;
    document.querySelectorAll("[data-error-for]").forEach(e => {
      const f = e.getAttribute("data-error-for");
      if (field === f || field.endsWith("." + f) || field.startsWith(f + ".")) best = best || e;
    });
    if (best) {
      best.textContent = err.textContent;
      const input = document.querySelector('[data-field="' + best.getAttribute("data-error-for") + '"]');
      if (input) input.classList.add("invalid");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawCharts(document);
    document.querySelectorAll("select.nav-select").forEach(sel => {
      sel.addEventListener("change", () => {
        const q = new URLSearchParams(location.search);
        q.set(sel.dataset.param, sel.value);
        if (sel.dataset.reset) q.delete(sel.dataset.reset);
        location.search = q.toString();
      });
    });
    const dl = document.getElementById("download-toml");
    if (dl) dl.addEventListener("click", () => {
      const f = document.getElementById("edit-form");
      f.setAttribute("action", dl.dataset.action);
      f.setAttribute("method", "post");
      f.submit();
    });
  });
  document.addEventListener("htmx:afterSettle", ev => {
    drawCharts(ev.detail.elt);
    if (ev.detail.elt.id === "edit-results") showFieldErrors(ev.detail.elt);
  });
})();
