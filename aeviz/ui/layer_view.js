// The layer view (see page_inside.py): one digit through the encoder, its code and the decoder,
// every stage's activations drawn as cells (dense layers) or feature maps (convolutions), with the
// stage's name and width. It runs the page's own forward pass (webnet.js, held to torch stage by
// stage in tests/test_webnet.py), so it follows the pad's strokes and a dragged code on every frame.
// Plain script: linked.py puts it before linked_panel.js in the component's module.

const layerViews = new Map(); // group -> the layer views drawn in it (the pad of the page feeds them)

function lvColour(v) {
  // v in [-1, 1] -> Brewer's PuOr (colour-blind safe): purple below 0, white at 0, orange above.
  const lo = [84, 39, 136], mid = [247, 247, 247], hi = [179, 88, 6];
  const end = v < 0 ? lo : hi, a = Math.min(1, Math.abs(v));
  return [0, 1, 2].map((i) => Math.round(mid[i] + a * (end[i] - mid[i])));
}

function lvGrid(n) {
  // Columns and rows of a near-square grid of n cells, wider than tall.
  const cols = Math.ceil(Math.sqrt(n * 2)), rows = Math.ceil(n / cols);
  return [cols, rows];
}

function lvPaint(canvas, stage) {
  // A stage's activations on one canvas: a grid of cells (dense), or its feature maps, 8 a row;
  // the input and the output as the digits they are (ink dark on light).
  if (stage.image) {
    paintDigit(canvas, stage.values, stage.shape[1], stage.shape[2]);
    canvas.style.width = `${Math.min(140, stage.shape[2] * 4)}px`;
    return;
  }
  const v = stage.values, scale = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) || 1;
  let w, h, at;
  if (stage.shape.length === 3) {
    const [c, H, W] = stage.shape, perRow = Math.min(c, 8);
    w = perRow * (W + 1) - 1; h = Math.ceil(c / perRow) * (H + 1) - 1;
    at = (i) => { const ch = Math.floor(i / (H * W)), r = Math.floor((i % (H * W)) / W), col = i % W;
      return [(ch % perRow) * (W + 1) + col, Math.floor(ch / perRow) * (H + 1) + r]; };
  } else {
    const [cols, rows] = lvGrid(v.length);
    w = cols; h = rows; at = (i) => [i % cols, Math.floor(i / cols)];
  }
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  img.data.fill(255);
  for (let i = 0; i < v.length; i++) {
    const [x, y] = at(i), [r, g, b] = lvColour(v[i] / scale), o = 4 * (y * w + x);
    img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b;
  }
  ctx.putImageData(img, 0, 0);
  canvas.style.width = `${Math.min(360, Math.max(60, w * (stage.shape.length === 3 ? 3 : 8)))}px`;
}

function lvRow(lv, key, title) {
  // One stage's row (made once per stage name): its title, its canvas.
  let row = lv.rows.get(key);
  if (!row) {
    row = document.createElement("figure");
    row.className = "aeviz-layer";
    row.innerHTML = '<figcaption></figcaption><canvas role="img"></canvas>';
    lv.rows.set(key, row);
  }
  row.querySelector("figcaption").textContent = title;
  row.querySelector("canvas").setAttribute("aria-label", title);
  return row;
}

function lvDescribe(stage, tx) {
  if (stage.image) return `${stage.name} — ${tx.pixels.replace("{h}", stage.shape[1]).replace("{w}", stage.shape[2])}`;
  const width = stage.shape.length === 3
    ? tx.maps.replace("{c}", stage.shape[0]).replace("{h}", stage.shape[1]).replace("{w}", stage.shape[2])
    : tx.units.replace("{n}", stage.values.length);
  return `${stage.name} — ${width}`;
}

function lvDraw(lv, side, stages) {
  const host = lv.root.querySelector(`.aeviz-layers-${side}`);
  const rows = stages.map((s, i) => {
    const row = lvRow(lv, `${side}${i}`, lvDescribe(s, lv.tx));
    lvPaint(row.querySelector("canvas"), s);
    return row;
  });
  if (host.children.length !== rows.length || rows.some((r, i) => host.children[i] !== r)) host.replaceChildren(...rows);
}

function lvInput(lv, digit) {
  // A new input digit: the encoder's stages, its code, then the decoder's.
  if (!lv.encode) return;
  lv.digit = digit;
  const trace = [], [h, w] = lv.shape;
  lv.code = Array.from(lv.encode(digit, trace));
  lvDraw(lv, "encoder", [{ name: lv.tx.input, shape: [1, h, w], values: Float64Array.from(digit), image: true },
    ...trace]);
  lvCode(lv, lv.code);
}

function lvCode(lv, code) {
  // A new code (from the encoder, the plane or the sliders): the decoder's stages and the output.
  if (!lv.decode) return;
  lv.code = code;
  const trace = [];
  const out = lv.decode(code, trace), [h, w] = lv.shape, last = trace[trace.length - 1];
  const isOutput = last && last.values.length === h * w && (last.shape.length === 1 || last.shape[1] === h);
  if (isOutput) { // the last stage is the output itself (not a padded one): drawn as the digit
    trace[trace.length - 1] = { ...last, shape: [1, h, w], image: true };
  } else trace.push({ name: lv.tx.output, shape: [1, h, w], values: out, image: true });
  lvDraw(lv, "decoder", trace);
  lv.root.querySelectorAll(".aeviz-layers-code input").forEach((inp, j) => { inp.value = String(code[j]); });
  lv.root.querySelector(".aeviz-layers-code-text").textContent =
    lv.tx.code.replace("{code}", code.map((v) => v.toFixed(2)).join(", "));
  lvPlane(lv);
  lv.root.dataset.frames = String((Number(lv.root.dataset.frames) || 0) + 1); // for the tests
}

function lvPlane(lv) {
  // The 2-D code plane: the held-out digits' codes as grey dots, the current code as a ring.
  const canvas = lv.root.querySelector(".aeviz-layers-plane");
  if (!canvas || !lv.range) return;
  const ctx = canvas.getContext("2d"), S = canvas.width, [[x0, x1], [y0, y1]] = lv.range;
  const px = (z) => [((z[0] - x0) / (x1 - x0)) * S, (1 - (z[1] - y0) / (y1 - y0)) * S];
  ctx.clearRect(0, 0, S, S);
  ctx.fillStyle = "#B8B8B8";
  for (let i = 0; i + 1 < lv.dots.length; i += 2) {
    const [x, y] = px([lv.dots[i], lv.dots[i + 1]]);
    ctx.fillRect(x - 1, y - 1, 2, 2);
  }
  const [x, y] = px(lv.code);
  ctx.lineWidth = 3; ctx.strokeStyle = "#000"; ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
  ctx.lineWidth = 1.5; ctx.strokeStyle = "#fff"; ctx.beginPath(); ctx.arc(x, y, 9.5, 0, 2 * Math.PI); ctx.stroke();
}

function lvBuild(lv, spec) {
  const tx = spec.texts, k = spec.k;
  lv.root.innerHTML = `
    <div class="aeviz-layers-side"><h4></h4><div class="aeviz-layers-encoder"></div></div>
    <div class="aeviz-layers-code">
      <h4></h4><canvas class="aeviz-layers-plane" width="220" height="220" role="img"></canvas>
      <div class="aeviz-layers-sliders"></div><p class="aeviz-layers-code-text"></p>
    </div>
    <div class="aeviz-layers-side"><h4></h4><div class="aeviz-layers-decoder"></div></div>`;
  const [h1, h2, h3] = lv.root.querySelectorAll("h4");
  h1.textContent = tx.encoder; h2.textContent = tx.code_header; h3.textContent = tx.decoder;
  const plane = lv.root.querySelector(".aeviz-layers-plane");
  if (k !== 2 || !spec.range) plane.remove();
  else {
    plane.setAttribute("aria-label", tx.plane);
    const drag = (ev) => {
      const box = plane.getBoundingClientRect(), [[x0, x1], [y0, y1]] = lv.range;
      const fx = Math.min(1, Math.max(0, (ev.clientX - box.left) / box.width));
      const fy = Math.min(1, Math.max(0, (ev.clientY - box.top) / box.height));
      lvSchedule(lv, [x0 + fx * (x1 - x0), y1 - fy * (y1 - y0)]);
    };
    plane.addEventListener("pointerdown", (ev) => { plane.setPointerCapture(ev.pointerId); lv.dragging = true; drag(ev); });
    plane.addEventListener("pointermove", (ev) => { if (lv.dragging) drag(ev); });
    plane.addEventListener("pointerup", () => { lv.dragging = false; });
  }
  const sliders = lv.root.querySelector(".aeviz-layers-sliders");
  for (let j = 0; j < Math.min(k, 8); j++) { // the keyboard's way: one slider a code unit (the first 8)
    const [lo, hi] = spec.slider_range[j], label = document.createElement("label"), inp = document.createElement("input");
    Object.assign(inp, { type: "range", min: String(lo), max: String(hi), step: String((hi - lo) / 200) });
    label.append(`z${j + 1} `, inp);
    inp.addEventListener("input", () => { const z = lv.code.slice(); z[j] = Number(inp.value); lvSchedule(lv, z); });
    sliders.appendChild(label);
  }
}

function lvSchedule(lv, code) {
  // One decode per animation frame, however fast the pointer drags.
  if (!lv.pending) requestAnimationFrame(() => { const z = lv.pending; lv.pending = null; lvCode(lv, z); });
  lv.pending = code;
}

async function layersMount(parentElement, data) {
  // The component's layer mode: data.layers = {group, shape, k, encoder, decoder (spec URLs),
  // digit (the server's input digit), range (the plane's [[x0, x1], [y0, y1]], k = 2), dots (held-out
  // codes, flat), slider_range (per code unit), texts}.
  const spec = data.layers;
  const root = childOf(parentElement, "aeviz-layers", (el) => { el.__lv = { root: el, rows: new Map() }; });
  const lv = root.__lv, before = lv.group;
  Object.assign(lv, { group: spec.group, shape: spec.shape, tx: spec.texts, range: spec.range, dots: spec.dots });
  if (before !== undefined && before !== spec.group) layerViews.get(before)?.delete(lv);
  layerViews.set(spec.group, (layerViews.get(spec.group) ?? new Set()).add(lv));
  if (lv.encoderUrl !== spec.encoder) {
    lv.encoderUrl = spec.encoder;
    lv.encode = lv.decode = null;
    lv.rows.clear();
    lvBuild(lv, spec);
    try {
      const [enc, dec] = await Promise.all([loadNet(spec.encoder), loadNet(spec.decoder)]);
      if (lv.encoderUrl !== spec.encoder) return;
      lv.encode = enc; lv.decode = dec;
    } catch (err) {
      root.textContent = `${spec.texts.failed} (${err.message})`;
      return;
    }
    lv.serverDigit = null;
  }
  const key = spec.digit.join(",");
  if (lv.serverDigit !== key) { lv.serverDigit = key; lvInput(lv, Float64Array.from(spec.digit)); }
}

function layersFollow(group, digit) {
  // The pad of the page drew a new digit: every layer view of its group takes it as input.
  for (const lv of layerViews.get(group) || []) if (lv.root.isConnected && digit) lvInput(lv, digit);
}
