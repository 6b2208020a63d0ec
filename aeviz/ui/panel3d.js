// A 3-D panel of the Latent page (a 3-number code, and PCA-3 and UMAP-3 beside it): plotly's WebGL
// scatter has no box or lasso, so the panel gets its own: a Lasso button turns the rotation off and
// a drawn loop selects the points whose projection on the screen falls inside it; the selection is
// linked like the 2-D panels' (send, broadcast, paint). Lit points keep their class colour and
// grow, the others turn grey (WebGL's scatter has no per-point opacity).
// Plain script: linked.py puts it before linked_panel.js in the component's module.

const UNLIT_3D = "#D0D0D0"; // as figures/latent.py's UNLIT_3D

function project3d(gd) {
  // data (x, y, z) -> pixels (x, y) in the graph div, as plotly.js places its 3-D annotations:
  // the camera's projection . view . model of the point scaled by the scene's dataScale, in the
  // scene's domain of the plot area.
  const fl = gd._fullLayout, scene = fl.scene._scene, cam = scene.glplot.cameraParams, ds = scene.dataScale;
  const size = fl._size, dom = fl.scene.domain;
  const mul = (m, v) => { const r = [0, 0, 0, 0]; for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) r[j] += m[4 * i + j] * v[i]; return r; };
  return (x, y, z) => {
    const p = mul(cam.projection, mul(cam.view, mul(cam.model, [x * ds[0], y * ds[1], z * ds[2], 1])));
    return [size.l + dom.x[0] * size.w + 0.5 * (1 + p[0] / p[3]) * size.w * (dom.x[1] - dom.x[0]),
      size.t + (1 - dom.y[1]) * size.h + 0.5 * (1 - p[1] / p[3]) * size.h * (dom.y[1] - dom.y[0])];
  };
}

function insidePolygon(p, poly) {
  // Ray casting: does the horizontal ray from p cross the polygon's edges an odd number of times?
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function idsInside(gd, poly) {
  const at = project3d(gd), ids = [];
  gd._fullData.forEach((t) => {
    if (t.meta === "aeviz-drawn" || !t.customdata) return;
    for (let i = 0; i < t.x.length; i++) if (insidePolygon(at(t.x[i], t.y[i], t.z[i]), poly)) ids.push(Number(t.customdata[i]));
  });
  return [...new Set(ids)].sort((a, b) => a - b);
}

async function paint3d(gd, ids) {
  const want = new Set(ids), idx = [], colors = [], sizes = [];
  gd._fullData.forEach((t, i) => {
    if (t.meta === "aeviz-drawn" || !t.customdata || !gd.__base3d?.[i]) return;
    const { color, size } = gd.__base3d[i];
    idx.push(i);
    if (!ids.length) { colors.push(color); sizes.push(size); return; }
    const cd = Array.from(t.customdata, Number);
    colors.push(cd.map((id) => (want.has(id) ? color : UNLIT_3D)));
    sizes.push(cd.map((id) => (want.has(id) ? size + 2 : size)));
  });
  if (idx.length) await gd.__aeviz.Plotly.restyle(gd, { "marker.color": colors, "marker.size": sizes }, idx);
  gd.__painted = ids;
}

function lasso3dTool(gd, texts) {
  // The Lasso button and the cover it lays over the plot while on (null texts: a 2-D panel, none).
  const host = gd.parentElement;
  let btn = host.querySelector(":scope > .aeviz-lasso3d"), cover = host.querySelector(":scope > .aeviz-lasso3d-cover");
  if (!texts) { btn?.remove(); cover?.remove(); return; }
  if (btn) { btn.textContent = texts.label; btn.title = texts.help; return; }
  host.style.position = "relative";
  btn = document.createElement("button");
  Object.assign(btn, { type: "button", className: "aeviz-lasso3d", textContent: texts.label, title: texts.help });
  btn.setAttribute("aria-pressed", "false");
  cover = document.createElement("canvas");
  cover.className = "aeviz-lasso3d-cover";
  host.append(btn, cover);
  const set = (on) => {
    btn.setAttribute("aria-pressed", String(on));
    cover.style.display = on ? "block" : "none";
    if (on) {
      Object.assign(cover.style, { left: `${gd.offsetLeft}px`, top: `${gd.offsetTop}px`, width: `${gd.offsetWidth}px`,
        height: `${gd.offsetHeight}px` });
      cover.width = gd.offsetWidth; cover.height = gd.offsetHeight;
    }
  };
  btn.addEventListener("click", () => set(btn.getAttribute("aria-pressed") !== "true"));
  btn.addEventListener("keydown", (ev) => { if (ev.key === "Escape") set(false); });
  let poly = null;
  const ctx = cover.getContext("2d");
  const at = (ev) => { const b = cover.getBoundingClientRect(); return [ev.clientX - b.left, ev.clientY - b.top]; };
  cover.addEventListener("pointerdown", (ev) => { cover.setPointerCapture(ev.pointerId); poly = [at(ev)]; });
  cover.addEventListener("pointermove", (ev) => {
    if (!poly) return;
    poly.push(at(ev));
    ctx.clearRect(0, 0, cover.width, cover.height);
    ctx.setLineDash([4, 3]); ctx.lineWidth = 1.5; ctx.strokeStyle = "#000";
    ctx.beginPath(); poly.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y))); ctx.closePath(); ctx.stroke();
  });
  cover.addEventListener("pointerup", () => {
    if (!poly) return;
    const ids = poly.length > 2 ? idsInside(gd, poly) : [];
    poly = null;
    ctx.clearRect(0, 0, cover.width, cover.height);
    enqueue(gd, () => paint3d(gd, ids));
    send(gd, ids);
  });
  set(false);
}
