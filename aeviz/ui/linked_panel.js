// One embedding panel of the Latent page (see linked.py): a plotly.js graph that stays mounted
// across reruns and is linked to the other panels of its group in the browser. A box or lasso
// selection lights the same digits in every panel at once; then one trigger tells the server
// (which draws the gallery). Streamlit's chart element remounts a chart whenever its figure
// changes: a selection shown in every panel cost a server round trip and a full redraw of each.

const PLOTLY_SRC = "app/static/plotly.min.js"; // Streamlit's static file serving (linked.py)
// The plotly.js whose internals restylePoints was written against (the one the pinned plotly
// package ships; tests/test_linked.py fails when they differ). Any other one gets Plotly.restyle.
const WRITTEN_FOR_PLOTLY_JS = "4.1.1";
let plotlyLoading = null;

function loadPlotly() {
  // Always our copy, kept in this module: Streamlit's chart element bundles another plotly.js and
  // the panels should not depend on which one loaded first.
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = new URL(PLOTLY_SRC, document.baseURI).href;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => { plotlyLoading = null; reject(new Error(`could not load ${s.src}`)); };
      document.head.appendChild(s);
    });
  }
  return plotlyLoading;
}

// ------------------------------------------------------------------ figures
// plotly.py sends arrays as base64 typed-array specs; plotly.js decodes them afresh on every call,
// so Plotly.react can never tell that they did not change. Plain arrays it can skip.
const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array,
  u2: Uint16Array, i1: Int8Array, u1: Uint8Array };

function plainArrays(v) {
  if (Array.isArray(v)) return v.map(plainArrays);
  if (v === null || typeof v !== "object") return v;
  if (typeof v.bdata === "string" && TYPED[v.dtype] && !v.shape) {
    const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
    return Array.from(new TYPED[v.dtype](bytes.buffer));
  }
  for (const k of Object.keys(v)) v[k] = plainArrays(v[k]);
  return v;
}

const DATA_ARRAYS = new Set(["x", "y", "z", "customdata"]); // covered by layout.datarevision

function flatten(obj, prefix = "", out = {}) {
  // {"marker": {"opacity": 0.8}} -> {"marker.opacity": "0.8"}: attribute paths to JSON text.
  for (const [k, v] of Object.entries(obj)) {
    if (!prefix && DATA_ARRAYS.has(k)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, path, out);
    else out[path] = JSON.stringify(v);
  }
  return out;
}

function summary(fig, config) {
  const layout = {};
  for (const [k, v] of Object.entries(fig.layout)) if (k !== "template") layout[k] = JSON.stringify(v);
  return { rev: fig.layout.datarevision, types: fig.data.map((t) => t.type).join(), config: JSON.stringify(config),
    traces: fig.data.map((t) => flatten(t)), layout };
}

function smallChange(before, after, fig) {
  // The same points (same datarevision and traces) with other attributes, e.g. thumbnails on or
  // off: one Plotly.update of what differs (20-35 ms a panel). Plotly.react would redraw every
  // point here (60-100 ms): the equal-aspect axes rewrite their ranges, which it sees as a change.
  if (!before || ["rev", "types", "config"].some((k) => before[k] !== after[k])) return null;
  const restyle = {};
  const paths = new Set([...after.traces, ...before.traces].flatMap((t) => Object.keys(t)));
  for (const p of paths) {
    if (after.traces.every((t, i) => t[p] === before.traces[i][p])) continue;
    restyle[p] = after.traces.map((t) => (t[p] === undefined ? null : JSON.parse(t[p])));
  }
  const relayout = {};
  for (const k of new Set([...Object.keys(before.layout), ...Object.keys(after.layout)])) {
    if (before.layout[k] !== after.layout[k]) relayout[k] = k in fig.layout ? fig.layout[k] : null;
  }
  return { restyle, relayout };
}

async function draw(Plotly, gd, data) {
  const fig = plainArrays(JSON.parse(data.figure));
  if (gd.__templateText !== data.template) { // one template object while its text is unchanged
    gd.__templateText = data.template;
    gd.__template = JSON.parse(data.template);
  }
  fig.layout.template = gd.__template;
  const after = summary(fig, data.config); // Plotly.update cannot change the config
  const change = smallChange(gd.__summary, after, fig);
  if (change) await Plotly.update(gd, change.restyle, change.relayout);
  else await Plotly.react(gd, fig.data, fig.layout, data.config);
  gd.__summary = after;
  if (!change) gd.__painted = []; // new points: nothing is lit yet
}

// ------------------------------------------------------------------ linked selection
const panels = new Map(); // group name -> the panel divs drawn in it (one group per data set)

function sameIds(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function paint(gd, ids) {
  // Light `ids` (sorted digit ids) in this panel: per-trace selectedpoints, drawn with the
  // figure's selected/unselected styles. A box or lasso left on the panel goes first: plotly
  // re-applies a drawn selection on every restyle, which would bring its old points back.
  const Plotly = gd.__aeviz.Plotly;
  if (!Plotly || !gd._fullData) return;
  if (gd.__aeviz.is3d) { await paint3d(gd, ids); return; }
  const want = new Set(ids);
  const per = gd._fullData.map((t) => {
    if (!t.customdata || !ids.length) return null;
    const idx = [];
    Array.from(t.customdata, Number).forEach((id, i) => { if (want.has(id)) idx.push(i); });
    return idx;
  });
  if (gd.layout.selections && gd.layout.selections.length) await Plotly.relayout(gd, { selections: [] });
  if (!restylePoints(gd, per)) await Plotly.restyle(gd, { selectedpoints: per });
  gd.__painted = ids;
}

function restylePoints(gd, per) {
  // What plotly's own box and lasso do once they know the points (updateSelectedState in
  // plotly.js): mark each point's calcdata, record selectedpoints, restyle the drawn points.
  // Plotly.restyle({selectedpoints}) recomputes and redraws the whole panel instead: 60-120 ms a
  // panel of SVG points against ~10 here, and 0.1-1.2 s for three WebGL panels of 14,000 points
  // against a few ms. This leans on plotly.js internals (calcdata, a trace module's styleOnSelect
  // or, for WebGL, its selectPoints and the scene's redraw), so where they are not as expected it
  // returns false and restyle does the work.
  const Plotly = gd.__aeviz.Plotly, cds = gd.calcdata;
  const gl = (cd) => cd[0].trace.type === "scattergl" && cd[0].t?._scene
    && typeof cd[0].trace._module?.selectPoints === "function";
  const svg = (cd) => cd[0].node3 && typeof cd[0].trace._module?.styleOnSelect === "function";
  const ok = Plotly.version === WRITTEN_FOR_PLOTLY_JS && cds && cds.length === gd._fullData.length
    && cds.every((cd, i) => cd.length && cd[0].trace === gd._fullData[i] && (gl(cd) || svg(cd)))
    && (!cds.some(gl) || typeof Plotly.Plots?.redrawReglTraces === "function");
  if (!ok) return false;
  cds.forEach((cd, i) => {
    const trace = gd._fullData[i];
    const idx = per[i];
    const lit = idx ? new Set(idx) : null;
    if (idx) {
      gd.data[i].selectedpoints = idx;
      trace.selectedpoints = idx.slice();
    } else {
      delete gd.data[i].selectedpoints;
      delete trace.selectedpoints;
    }
    if (gl(cd)) { // the scene's selected and unselected batches, as plotly's lasso sets them
      const sp = gd._fullLayout._plots[trace.xaxis + trace.yaxis];
      const tester = lit ? { contains: (xy, omitFirstEdge, j) => lit.has(j), degenerate: false } : false;
      trace._module.selectPoints({ cd, xaxis: sp.xaxis, yaxis: sp.yaxis }, tester);
      return;
    }
    cd.forEach((pt, j) => { if (lit) pt.selected = lit.has(j) ? 1 : 0; else delete pt.selected; });
    trace._module.styleOnSelect(gd, cd, cd[0].node3);
  });
  if (cds.some(gl)) { // clear the WebGL canvases, then draw every scene once
    gd._fullLayout._glcanvas?.each((c) => { if (c.regl) c.regl.clear({ color: true, depth: true }); });
    Plotly.Plots.redrawReglTraces(gd);
  }
  return true;
}

function enqueue(gd, work) {
  // One thing at a time per panel (a redraw from a rerun, a selection from another panel).
  gd.__queue = (gd.__queue ?? Promise.resolve()).then(work).catch((err) => {
    gd.textContent = `This panel could not be drawn: ${err.message}`;
  });
}

function broadcast(group, ids, origin) {
  for (const gd of panels.get(group) || []) {
    if (gd !== origin && gd.isConnected && gd.__aeviz.linked) enqueue(gd, () => paint(gd, ids));
  }
}

function selected(points) {
  const ids = (points || []).map((p) => Number(Array.isArray(p.customdata) ? p.customdata[0] : p.customdata));
  return [...new Set(ids.filter(Number.isFinite))].sort((a, b) => a - b);
}

function send(gd, ids) {
  // The other panels first, and on screen before the server hears of it: once Streamlit has the
  // trigger, the page is busy for a while (~0.4 s with 14,000 points a panel) and a frame waits
  // for it. Painting takes a few ms a panel (WebGL; ~10 ms SVG), so the server's rerun (the
  // gallery) starts a frame later than it could.
  broadcast(gd.__aeviz.group, ids, gd);
  requestAnimationFrame(() => setTimeout(() => gd.__aeviz.setTriggerValue("selection", ids), 0));
}

function follow(gd) {
  // A panel keeps its figure when its column narrows (t-SNE's fourth panel added): plotly.js sizes
  // a graph when it draws it, so it is resized here, or its right side would be cut off.
  new ResizeObserver(() => {
    const width = gd._fullLayout?.width;
    if (width && Math.abs(width - gd.clientWidth) > 1) enqueue(gd, () => gd.__aeviz.Plotly.Plots.resize(gd));
  }).observe(gd);
}

function bind(gd) {
  // Only a selection the user made counts. Plotly also reports selections when this code clears a
  // panel's lasso (an empty one, sometimes after the relayout's promise has settled); sent to the
  // server, that stray empty selection could overwrite the user's next one. So a selection event
  // is taken only after a pointer went down on this panel (a drag, or the double click that clears).
  gd.addEventListener("pointerdown", () => { gd.__gesture = true; }, true);
  gd.on("plotly_selected", (ev) => {
    if (!ev || !gd.__gesture) return; // a click without a drag, or not the user's doing
    gd.__gesture = false;
    const ids = selected(ev.points);
    gd.__painted = ids; // plotly has drawn this panel's selection itself
    send(gd, ids);
  });
  gd.on("plotly_deselect", () => {
    if (!gd.__gesture) return;
    gd.__gesture = false;
    gd.__painted = [];
    send(gd, []);
  });
}

// ------------------------------------------------------------------ the component
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data.preload) { // the sidebar's instance: only fetch plotly.js early (linked.preload)
    loadPlotly().catch(() => {});
    return;
  }
  if (data.pad) { padMount(parentElement, data, setTriggerValue); return; }
  if (data.layers) { layersMount(parentElement, data); return; }
  let gd = parentElement.querySelector(":scope > .aeviz-panel");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "aeviz-panel";
    parentElement.appendChild(gd);
  }
  const before = gd.__aeviz?.group;
  if (before !== undefined && before !== data.group) panels.get(before)?.delete(gd); // another data set
  gd.__aeviz = { ...gd.__aeviz, group: data.group, linked: data.linked, setTriggerValue, inverse: data.inverse };
  const group = panels.get(data.group) ?? new Set();
  for (const old of group) if (!old.isConnected) group.delete(old);
  panels.set(data.group, group.add(gd));

  enqueue(gd, async () => { // reruns call this again for the same panel
    const Plotly = await loadPlotly();
    gd.__aeviz.Plotly = Plotly;
    if (gd.__figureKey !== data.figure_key) {
      await draw(Plotly, gd, data);
      gd.__aeviz.is3d = gd._fullData.some((t) => t.type === "scatter3d");
      if (gd.__aeviz.is3d) {
        gd.__base3d = gd.data.map((t) => ({ color: t.marker?.color, size: t.marker?.size }));
        gd.__aeviz.project3d = () => project3d(gd); // for tests/test_panel3d.py
      }
      if (!gd.__bound) { bind(gd); follow(gd); gd.__bound = true; }
      lasso3dTool(gd, gd.__aeviz.is3d ? data.lasso3d : null);
      gd.__figureKey = data.figure_key;
    }
    await setInverse(gd, data.inverse);
    const placing = JSON.stringify([data.place ?? null, data.marker ?? null]);
    if (gd.__placing !== placing) { gd.__placing = placing; await setPlace(gd, data.place, data.marker); }
    // The server's selection wins when it differs from what the panel shows (Clear, another page).
    const ids = data.linked ? data.selected || [] : []; // the thumbnails view lights nothing
    if (!sameIds(gd.__painted || [], ids)) await paint(gd, ids);
  });
}
