// Decoding under the pointer, and the user's own digit marked on a panel (see inverse.py, pad.js).
// Plain script: linked.py puts it before linked_panel.js in the component's module.

// A panel with a way back to pixels (data.inverse: the decoder's or PCA's layers, webnet.js) shows
// the digit at the point under the pointer, decoded here on every animation frame the pointer
// moved in: nothing goes to the server until a click (or Enter) pins the point.
const specs = new Map(); // spec URL -> Promise of the spec (JSON)
const nets = new Map(); // spec URL -> Promise of run(z)

function childOf(parent, cls, init) {
  // parent's own child div of class cls; made, and init(it) run, on the first call (a component
  // is called again on every rerun and keeps what it made).
  let el = parent.querySelector(`:scope > .${cls}`);
  if (!el) {
    el = document.createElement("div");
    el.className = cls;
    parent.appendChild(el);
    init(el);
  }
  return el;
}

function loadSpec(url) {
  if (!specs.has(url)) {
    specs.set(url, fetch(new URL(url, document.baseURI).href).then((r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.json();
    }).catch((err) => { specs.delete(url); throw err; }));
  }
  return specs.get(url);
}

function loadNet(url) {
  if (!nets.has(url)) nets.set(url, loadSpec(url).then(aevizNet).catch((err) => { nets.delete(url); throw err; }));
  return nets.get(url);
}

function plotPoint(gd, clientX, clientY) {
  // The data coordinates under a pointer (linear axes), or null outside the plot area.
  const xa = gd._fullLayout?.xaxis, ya = gd._fullLayout?.yaxis;
  if (!xa || !ya || !xa._length) return null;
  const box = gd.getBoundingClientRect();
  const px = (clientX - box.left - xa._offset) / xa._length, py = (clientY - box.top - ya._offset) / ya._length;
  if (px < 0 || px > 1 || py < 0 || py > 1) return null;
  return [xa.range[0] + px * (xa.range[1] - xa.range[0]), ya.range[1] - py * (ya.range[1] - ya.range[0])];
}

function inverseBox(gd) {
  // The strip under the plot: the decoded digit, where it is, what a click does.
  let box = gd.parentElement.querySelector(":scope > .aeviz-inverse");
  if (!box) {
    box = document.createElement("div");
    box.className = "aeviz-inverse";
    box.innerHTML = '<canvas role="img"></canvas><span class="aeviz-inverse-text"></span>';
    gd.after(box);
  }
  return box;
}

function paintDigit(canvas, pixels, h, w) {
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) { // ink dark on light, as the figures draw digits
    const v = 255 - Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function showAt(gd, z) {
  // Decode z and draw it under the plot, with the cross-hair at z. Counted (gd.__aeviz.frames)
  // so the bench and the tests can tell frames apart.
  const inv = gd.__aeviz.inverse, run = gd.__aeviz.run;
  if (!inv || !run || !z) return;
  const box = inverseBox(gd), canvas = box.querySelector("canvas");
  paintDigit(canvas, run(z), inv.shape[0], inv.shape[1]);
  const where = inv.where.replace("{z1}", z[0].toFixed(2)).replace("{z2}", z[1].toFixed(2));
  canvas.setAttribute("aria-label", where);
  box.querySelector(".aeviz-inverse-text").textContent = `${where} ${inv.hint}`;
  gd.__aeviz.cursor = z;
  crosshair(gd, z);
  gd.__aeviz.frames = (gd.__aeviz.frames || 0) + 1;
}

function overlayAt(gd, cls, z) {
  // An element of class `cls` over the plot at data point z (2-D axes), hidden outside the axes'
  // ranges or when z is null. Returns it.
  let mark = gd.parentElement.querySelector(`:scope > .${cls}`);
  if (!mark) {
    mark = document.createElement("div");
    mark.className = cls;
    mark.setAttribute("aria-hidden", "true");
    gd.parentElement.style.position = "relative";
    gd.parentElement.appendChild(mark);
  }
  const xa = gd._fullLayout?.xaxis, ya = gd._fullLayout?.yaxis;
  if (!z || !xa || !xa._length) { mark.style.display = "none"; return mark; }
  const fx = (z[0] - xa.range[0]) / (xa.range[1] - xa.range[0]), fy = (ya.range[1] - z[1]) / (ya.range[1] - ya.range[0]);
  mark.style.display = fx < 0 || fx > 1 || fy < 0 || fy > 1 ? "none" : "block";
  mark.style.left = `${gd.offsetLeft + xa._offset + fx * xa._length}px`;
  mark.style.top = `${gd.offsetTop + ya._offset + fy * ya._length}px`;
  return mark;
}

function crosshair(gd, z) {
  // A ring at the decoded point, so a keyboard user sees where the arrows took it.
  overlayAt(gd, "aeviz-crosshair", z);
}

// ------------------------------------------------------------------ the user's own digit on a panel
// A panel that can place a new digit (data.place: the encoder carried to the panel's axes, or
// PCA's projection) marks the digit drawn on the pad at every stroke (pad.js calls markDigit), and
// the digit the server holds (data.marker) otherwise: the same point, computed by the server.
function markDigit(gd, z) {
  gd.__aeviz.mark = z;
  if (gd.__aeviz.is3d) {
    const Plotly = gd.__aeviz.Plotly, i = gd._fullData?.findIndex((t) => t.meta === "aeviz-drawn");
    if (!Plotly || i === undefined || i < 0) return;
    Plotly.restyle(gd, { x: [[z ? z[0] : null]], y: [[z ? z[1] : null]], z: [[z ? z[2] : null]] }, [i]);
    return;
  }
  overlayAt(gd, "aeviz-drawn", z);
}

async function setPlace(gd, place, marker) {
  // The panel's way to place a new digit (loaded once per URL) and the server's mark.
  gd.__aeviz.placeRun = null;
  if (place) {
    try { gd.__aeviz.placeRun = await loadNet(place); } catch (err) { gd.__aeviz.placeRun = null; }
  }
  markDigit(gd, marker || null);
}

function bindInverse(gd) {
  let pending = null, down = null;
  const frame = () => { const z = pending; pending = null; if (z) showAt(gd, z); };
  gd.addEventListener("pointermove", (ev) => {
    const z = plotPoint(gd, ev.clientX, ev.clientY);
    if (!z || !gd.__aeviz.run) return;
    if (!pending) requestAnimationFrame(frame); // one decode per frame, however fast the pointer
    pending = z;
  });
  gd.addEventListener("pointerdown", (ev) => {
    // plotly covers the page while a button is down (its drag layer), so the pointer comes up
    // over that cover, not over this panel: listen for it on the window.
    down = [ev.clientX, ev.clientY];
    window.addEventListener("pointerup", (up) => { // a click, not the end of a lasso, pins the point
      if (!down || Math.hypot(up.clientX - down[0], up.clientY - down[1]) > 4) return;
      down = null;
      const z = plotPoint(gd, up.clientX, up.clientY);
      if (z && gd.__aeviz.inverse) gd.__aeviz.setTriggerValue("pinned", z);
    }, { capture: true, once: true });
  }, true);
  gd.addEventListener("keydown", (ev) => { // arrows move the point, Shift five times as far; Enter pins
    const inv = gd.__aeviz.inverse, xa = gd._fullLayout?.xaxis, ya = gd._fullLayout?.yaxis;
    if (!inv || !gd.__aeviz.run || !xa) return;
    const step = (ev.shiftKey ? 5 : 1) / 40, dx = xa.range[1] - xa.range[0], dy = ya.range[1] - ya.range[0];
    const z = gd.__aeviz.cursor || [xa.range[0] + dx / 2, ya.range[0] + dy / 2];
    const move = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] }[ev.key];
    if (move) {
      ev.preventDefault();
      showAt(gd, [z[0] + step * move[0], z[1] + step * move[1]]);
    } else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      gd.__aeviz.setTriggerValue("pinned", z);
    }
  });
}

async function setInverse(gd, inverse) {
  const url = inverse?.url;
  if (gd.__aeviz.inverseUrl === url) return;
  gd.__aeviz.inverseUrl = url;
  gd.__aeviz.run = null;
  gd.parentElement.querySelectorAll(":scope > .aeviz-inverse, :scope > .aeviz-crosshair").forEach((e) => e.remove());
  if (!inverse) { ["tabindex", "role", "aria-label"].forEach((a) => gd.removeAttribute(a)); return; }
  gd.tabIndex = 0; // a keyboard reaches the plane: arrows move the decoded point
  gd.setAttribute("role", "group");
  gd.setAttribute("aria-label", inverse.label);
  if (!gd.__inverseBound) { bindInverse(gd); gd.__inverseBound = true; }
  let run;
  try {
    run = await loadNet(url);
  } catch (err) { // said once, under the plot; the panel itself still works
    inverseBox(gd).textContent = `${inverse.failed} (${err.message})`;
    return;
  }
  if (gd.__aeviz.inverseUrl !== url) return; // another model came meanwhile
  gd.__aeviz.run = run;
  gd.__aeviz.showAt = (z) => showAt(gd, z); // for bench/webdecode.py
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis; // start at the centre, before any pointer
  showAt(gd, inverse.pinned || [(xa.range[0] + xa.range[1]) / 2, (ya.range[0] + ya.range[1]) / 2]);
}

