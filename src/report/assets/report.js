/* f0 report dashboard: draws the charts of the embedded data with uPlot, shows exact values on
   hover, toggles series, and records a self-check on <html> (data-f0-*) that tests read.
   Every user string reaches the page through textContent only. */
(function () {
  "use strict";
  var root = document.documentElement;
  var problems = [];
  function note(kind, text) { problems.push(kind + ": " + String(text).slice(0, 300)); }
  window.addEventListener("error", function (e) { note("error", e.message); });
  window.addEventListener("unhandledrejection", function (e) { note("rejection", e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    note("blocked", e.violatedDirective + " " + e.blockedURI);
  });
  var consoleError = console.error;
  console.error = function () {
    note("console", Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };

  var started = performance.now();
  var data = JSON.parse(document.getElementById("f0-data").textContent);
  var COLORS = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0550ae"];
  var tip = document.createElement("div");
  tip.className = "tip";
  document.body.appendChild(tip);
  var charts = [];

  function fmt(v) { return v == null ? "–" : String(v); }
  function iso(t0, off) {
    var whole = Math.floor(off);
    var d = new Date(t0 + whole).toISOString();
    var micros = Math.round((off - whole) * 1000);
    return micros ? d.replace("Z", String(micros).padStart(3, "0") + "Z") : d;
  }
  function runAt(runs, i) {
    var lo = 0, hi = runs.length - 1, best = null;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (runs[mid][0] <= i) { best = runs[mid][1]; lo = mid + 1; } else { hi = mid - 1; }
    }
    return best;
  }
  function showTip(u, lines) {
    if (!lines) { tip.style.display = "none"; return; }
    tip.textContent = lines.join("\n");
    var r = u.over.getBoundingClientRect();
    tip.style.display = "block";
    tip.style.left = Math.min(window.innerWidth - 260, r.left + u.cursor.left + 14) + "px";
    tip.style.top = (r.top + u.cursor.top + 14) + "px";
  }
  function tipPlugin(describe) {
    return { hooks: {
      setCursor: function (u) { var i = u.cursor.idx; showTip(u, i == null ? null : describe(u, i)); },
      init: function (u) { u.over.addEventListener("mouseleave", function () { showTip(u, null); }); }
    } };
  }
  function width(el) { return Math.max(320, el.clientWidth || 600); }
  function vline(u, x, color, dash) {
    var ctx = u.ctx, px = u.valToPos(x, "x", true);
    if (!(px >= u.bbox.left && px <= u.bbox.left + u.bbox.width)) { return; }
    ctx.save();
    ctx.strokeStyle = color; ctx.lineWidth = 2 * devicePixelRatio;
    if (dash) { ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]); }
    ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
    ctx.restore();
  }
  function make(el, opts, rows) {
    opts.width = width(el);
    opts.height = 240;
    var u = new uPlot(opts, rows, el);
    charts.push({ el: el, u: u });
    return u;
  }
  function secs(line) { return line.x.map(function (x) { return (line.t0 + x) / 1000; }); }

  function timeSeries(el, s) {
    var L = s.line, xs = secs(L), n = xs.length, ys = L.y.slice();
    var fc = s.trend && s.trend.forecast;
    if (fc) { xs.push((L.t0 + fc[0]) / 1000); ys.push(null); }
    var m = xs.length, cols = [xs, ys], series = [{}, {
      label: L.label, stroke: COLORS[0], width: 1.5, points: { show: n <= 60 }
    }];
    var band = s.band, bandIdx = null;
    if (band) {
      cols.push(new Array(m).fill(band[0]), new Array(m).fill(band[2]));
      series.push({ label: "band low (" + band[3] + ")", stroke: "rgba(26,127,55,0.5)", dash: [4, 4], points: { show: false } },
                  { label: "band high", stroke: "rgba(26,127,55,0.5)", dash: [4, 4], points: { show: false } });
      bandIdx = [cols.length - 1, cols.length - 2];
    }
    if (s.anomalies.length) {
      var a = new Array(m).fill(null);
      s.anomalies.forEach(function (i) { a[i] = L.y[i]; });
      cols.push(a);
      series.push({ label: "anomalies", stroke: "#cf222e", fill: "#cf222e", paths: function () { return null; },
                    points: { show: true, size: 8, stroke: "#cf222e", fill: "#cf222e" } });
    }
    if (s.trend) {
      var t = new Array(m).fill(null), tl = s.trend.line;
      t[0] = tl[1]; t[n - 1] = tl[3];
      if (fc) { t[m - 1] = fc[1]; }
      cols.push(t);
      series.push({ label: "trend" + (fc ? " + forecast" : ""), stroke: COLORS[4], dash: [2, 3], spanGaps: true, points: { show: false } });
    }
    var opts = {
      series: series, cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { label: s.unit, size: 70 }],
      bands: bandIdx ? [{ series: bandIdx, fill: "rgba(26,127,55,0.08)" }] : [],
      hooks: { draw: [function (u) {
        s.change_points.forEach(function (c) { vline(u, (L.t0 + c[0]) / 1000, "#bf8700", true); });
        if (fc) {
          var ctx = u.ctx, px = u.valToPos((L.t0 + fc[0]) / 1000, "x", true);
          var lo = u.valToPos(fc[2], "y", true), hi = u.valToPos(fc[3], "y", true);
          ctx.save(); ctx.strokeStyle = COLORS[4]; ctx.lineWidth = 2 * devicePixelRatio;
          ctx.beginPath(); ctx.moveTo(px, lo); ctx.lineTo(px, hi);
          ctx.moveTo(px - 5, lo); ctx.lineTo(px + 5, lo); ctx.moveTo(px - 5, hi); ctx.lineTo(px + 5, hi);
          ctx.stroke(); ctx.restore();
        }
      }] },
      plugins: [tipPlugin(function (u, i) {
        if (i >= n) { return [L.label, "forecast " + fmt(fc[1]) + " " + s.unit, "interval [" + fmt(fc[2]) + ", " + fmt(fc[3]) + "]", iso(L.t0, fc[0])]; }
        var run = runAt(L.runs, i);
        return [L.label, fmt(L.y[i]) + " " + s.unit, iso(L.t0, L.x[i]), "run " + fmt(run)];
      })]
    };
    make(el, opts, cols);
  }

  function histogram(el, s) {
    var e = s.histogram[0], c = s.histogram[1];
    var xs = c.map(function (_, i) { return (e[i] + e[i + 1]) / 2; });
    var lo = e[0], hi = e[e.length - 1];
    if (!(hi > lo)) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
    var opts = {
      series: [{}, { label: "samples", stroke: COLORS[0], fill: "rgba(9,105,218,0.35)",
        paths: uPlot.paths.bars({ size: [0.95, Infinity], align: 0 }), points: { show: false } }],
      scales: { x: { time: false, range: [lo, hi] } },
      axes: [{ label: s.unit }, { label: "samples", size: 60 }],
      legend: { show: false },
      hooks: { draw: [function (u) {
        s.ladder.forEach(function (r) {
          if (r[0] === 50 || r[0] === 95 || r[0] === 99) { vline(u, r[1], r[0] === 50 ? "#1a7f37" : "#cf222e", r[0] !== 50); }
        });
      }] },
      plugins: [tipPlugin(function (u, i) {
        return ["[" + fmt(e[i]) + ", " + fmt(e[i + 1]) + (i === c.length - 1 ? "]" : ")") + " " + s.unit, c[i] + " samples"];
      })]
    };
    make(el, opts, [xs, c]);
  }

  function history(el, s) {
    var h = s.history, xs = h.map(function (r) { return r[0]; });
    var opts = {
      series: [{ label: "run" }, { label: "mean", stroke: COLORS[0], points: { show: true, size: 6 } },
               { label: "p95", stroke: COLORS[1], dash: [4, 3], points: { show: true, size: 5 } }],
      scales: { x: { time: false } },
      axes: [{ label: "run", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
               values: function (u, v) { return v.map(function (x) { return Number.isInteger(x) ? String(x) : ""; }); } },
             { label: s.unit, size: 70 }],
      hooks: { draw: [function (u) { s.change_runs.forEach(function (r) { vline(u, r, "#bf8700", true); }); }] },
      plugins: [tipPlugin(function (u, i) {
        var r = h[i];
        return ["run " + r[0] + (s.change_runs.indexOf(r[0]) >= 0 ? " (change point)" : ""),
                "mean " + fmt(r[2]) + " " + s.unit, "p95 " + fmt(r[3]) + " " + s.unit,
                r[4] + " samples", "started " + new Date(r[1]).toISOString()];
      })]
    };
    make(el, opts, [xs, h.map(function (r) { return r[2]; }), h.map(function (r) { return r[3]; })]);
  }

  function system(el, p) {
    var tables = p.lines.map(function (l) { return [secs(l), l.y]; });
    var rows = tables.length === 1 ? tables[0] : uPlot.join(tables);
    var series = [{}].concat(p.lines.map(function (l, i) {
      return { label: l.label, stroke: COLORS[i % COLORS.length], spanGaps: true, points: { show: false } };
    }));
    var index = p.lines.map(function (l) {
      var m = new Map(); secs(l).forEach(function (x, i) { m.set(x, i); }); return m;
    });
    var opts = {
      series: series, scales: { x: { time: true } }, axes: [{}, { label: p.unit, size: 70 }],
      cursor: { drag: { x: true, y: false } },
      plugins: [tipPlugin(function (u, i) {
        var x = u.data[0][i], out = [iso(x * 1000, 0)];
        p.lines.forEach(function (l, k) {
          var j = index[k].get(x);
          if (j != null) { out.push(l.label + ": " + fmt(l.y[j]) + " " + p.unit + " (run " + fmt(runAt(l.runs, j)) + ")"); }
        });
        return out;
      })]
    };
    make(el, opts, rows);
  }

  var bySeries = {};
  data.series.forEach(function (s) { bySeries[s.id] = s; });
  var byPanel = {};
  data.system.forEach(function (p) { byPanel[p.id] = p; });
  var jobs = [];
  document.querySelectorAll(".chart").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    var s = bySeries[el.getAttribute("data-series")];
    var p = byPanel[el.getAttribute("data-panel")];
    jobs.push(function () {
      try {
        if (kind === "timeseries") { timeSeries(el, s); }
        else if (kind === "histogram") { histogram(el, s); }
        else if (kind === "history") { history(el, s); }
        else if (kind === "system") { system(el, p); }
        else { note("chart", "unknown chart kind " + kind); }
      } catch (err) { note("chart " + kind, err && err.stack || err); }
    });
  });

  function selfCheck() {
    var probe = document.createElement("canvas");
    probe.width = probe.height = 16;
    var pctx = probe.getContext("2d", { willReadFrequently: true });
    var drawn = 0, blank = [];
    document.querySelectorAll(".chart").forEach(function (el, k) {
      var c = el.querySelector("canvas");
      var ok = c && c.width > 0 && c.height > 0 && el.getBoundingClientRect().height > 0;
      if (ok) {
        pctx.clearRect(0, 0, 16, 16);
        pctx.drawImage(c, 0, 0, 16, 16);
        var px = pctx.getImageData(0, 0, 16, 16).data, any = false;
        for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { any = true; break; } }
        ok = any;
      }
      if (ok) { drawn++; } else { blank.push((el.getAttribute("data-chart") || "?") + "#" + k); }
    });
    var requests = performance.getEntriesByType("resource").length;
    if (requests) { note("network", requests + " resource request(s)"); }
    root.setAttribute("data-f0-charts", String(document.querySelectorAll(".chart").length));
    root.setAttribute("data-f0-drawn", String(drawn));
    root.setAttribute("data-f0-blank", blank.join(" "));
    root.setAttribute("data-f0-problems", problems.join(" | "));
    root.setAttribute("data-f0-render-ms", String(Math.round(performance.now() - started)));
    root.setAttribute("data-f0-status", "done");
  }

  // Charts are drawn in small batches so a large report stays responsive while it loads.
  function next() {
    var until = performance.now() + 30;
    while (jobs.length && performance.now() < until) { jobs.shift()(); }
    if (jobs.length) { setTimeout(next, 0); } else { setTimeout(selfCheck, 0); }
  }
  next();

  document.querySelectorAll("nav.toggles input[data-series]").forEach(function (box) {
    box.addEventListener("change", function () {
      var card = document.getElementById(box.getAttribute("data-series"));
      if (card) { card.classList.toggle("hidden", !box.checked); }
    });
  });
  function setAll(on) {
    document.querySelectorAll("nav.toggles input[data-series]").forEach(function (box) {
      box.checked = on; box.dispatchEvent(new Event("change"));
    });
  }
  var all = document.getElementById("f0-all"), none = document.getElementById("f0-none");
  if (all) { all.addEventListener("click", function () { setAll(true); }); }
  if (none) { none.addEventListener("click", function () { setAll(false); }); }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      charts.forEach(function (c) { c.u.setSize({ width: width(c.el), height: 240 }); });
    }, 150);
  });
})();
