// The drawing pad (see pad.py): a digit drawn with a mouse, a finger or a pen, made to look like the
// data set's digits (aevizDigit, the twin of aeviz/upload/digit.py's preprocess) and encoded here
// on every stroke: what the net reads, its reconstruction, the code, the 5 nearest training digits
// in code space, and a mark on every panel of the page that can place it (markDigit). When the pen
// lifts, the digit goes to the server once (UMAP places it; the server keeps it for the session).
// Plain script: linked.py puts it before linked_panel.js in the component's module.

const PAD_INK = 112; // the pad's ink grid (4 x 28): fine enough for a stroke, cheap to read back
const PAD_STROKE = 9; // ink width on that grid: ~2 pixels of 28 once a digit is scaled to MNIST's box
const PAD_DIGIT_INK = 0.1; // as digit.py's INK

function aevizAreaWeights(nIn, nOut) {
  // (nOut, nIn) as digit.py's area_weights: each output pixel averages the inputs it covers.
  const step = nIn / nOut, out = new Float64Array(nOut * nIn);
  for (let i = 0; i < nOut; i++) {
    const lo = i * step, hi = (i + 1) * step;
    for (let k = Math.floor(lo); k < Math.min(nIn, Math.ceil(hi)); k++) {
      const overlap = Math.min(hi, k + 1) - Math.max(lo, k);
      if (overlap > 0) out[i * nIn + k] = overlap / step;
    }
  }
  return out;
}

function aevizDigit(ink, H, W, h, w, fill) {
  // ink (H*W, row-major, in [0, 1]) -> the digit as the data set holds it, (h*w) in [0, 1]: the
  // bounding box of the pixels over PAD_DIGIT_INK scaled (area average) so that its longer side is
  // fill * min(h, w), then placed with its centre of mass at the frame's centre. No ink: zeros.
  let r0 = H, r1 = -1, c0 = W, c1 = -1;
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
    if (ink[r * W + c] > PAD_DIGIT_INK) { r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c); }
  }
  const out = new Float64Array(h * w);
  if (r1 < 0) return out;
  const bh = r1 - r0 + 1, bw = c1 - c0 + 1, scale = (fill * Math.min(h, w)) / Math.max(bh, bw);
  const nh = Math.max(1, Math.min(h, Math.round(bh * scale))), nw = Math.max(1, Math.min(w, Math.round(bw * scale)));
  const Rh = aevizAreaWeights(bh, nh), Rw = aevizAreaWeights(bw, nw);
  const tmp = new Float64Array(nh * bw); // Rh @ crop
  for (let i = 0; i < nh; i++) for (let k = 0; k < bh; k++) {
    const a = Rh[i * bh + k];
    if (a === 0) continue;
    for (let c = 0; c < bw; c++) tmp[i * bw + c] += a * Math.min(1, Math.max(0, ink[(r0 + k) * W + c0 + c]));
  }
  const small = new Float64Array(nh * nw); // (Rh @ crop) @ Rw.T
  for (let i = 0; i < nh; i++) for (let j = 0; j < nw; j++) {
    let s = 0;
    for (let c = 0; c < bw; c++) s += tmp[i * bw + c] * Rw[j * bw + c];
    small[i * nw + j] = s;
  }
  let mass = 0, my = 0, mx = 0;
  for (let i = 0; i < nh; i++) for (let j = 0; j < nw; j++) {
    const v = small[i * nw + j]; mass += v; my += v * (i + 0.5); mx += v * (j + 0.5);
  }
  const oy = Math.round(h / 2 - my / mass), ox = Math.round(w / 2 - mx / mass);
  for (let i = 0; i < nh; i++) for (let j = 0; j < nw; j++) {
    const y = i + oy, x = j + ox;
    if (y >= 0 && y < h && x >= 0 && x < w) out[y * w + x] = Math.min(1, Math.max(0, small[i * nw + j]));
  }
  return out;
}

function padNearest(codes, k, z, n) {
  // The indices of the n training codes nearest z (codes: flat (N, k)), nearest first.
  const best = [];
  for (let i = 0; i < codes.length / k; i++) {
    let d = 0;
    for (let j = 0; j < k; j++) { const e = codes[i * k + j] - z[j]; d += e * e; }
    if (best.length < n || d < best[best.length - 1][0]) {
      best.push([d, i]);
      best.sort((a, b) => a[0] - b[0]);
      if (best.length > n) best.pop();
    }
  }
  return best.map((b) => b[1]);
}

function padBuild(root, tx) {
  // The pad's elements, made once: the drawing, what the net reads, its reconstruction, the code,
  // the nearest training digits, and a polite live region that speaks the result when a stroke ends.
  root.innerHTML = `
    <div class="aeviz-pad-row">
      <div class="aeviz-pad-draw">
        <canvas class="aeviz-pad-ink" width="${PAD_INK}" height="${PAD_INK}" role="img"></canvas>
        <button type="button" class="aeviz-pad-clear"></button>
      </div>
      <figure><canvas class="aeviz-pad-seen" role="img"></canvas><figcaption class="aeviz-pad-seen-cap"></figcaption></figure>
      <figure><canvas class="aeviz-pad-recon" role="img"></canvas><figcaption class="aeviz-pad-recon-cap"></figcaption></figure>
      <div class="aeviz-pad-side">
        <div class="aeviz-pad-code"></div>
        <div class="aeviz-pad-near-cap"></div>
        <div class="aeviz-pad-near"></div>
      </div>
    </div>
    <p class="aeviz-pad-status" aria-live="polite"></p>`;
  root.querySelector(".aeviz-pad-ink").setAttribute("aria-label", tx.pad_label);
  root.querySelector(".aeviz-pad-clear").textContent = tx.clear;
  root.querySelector(".aeviz-pad-seen-cap").textContent = tx.seen;
  root.querySelector(".aeviz-pad-recon-cap").textContent = tx.recon;
  root.querySelector(".aeviz-pad-near-cap").textContent = tx.nearest;
  const near = root.querySelector(".aeviz-pad-near");
  for (let i = 0; i < 5; i++) {
    const f = document.createElement("figure");
    f.innerHTML = '<canvas role="img"></canvas><figcaption></figcaption>';
    near.appendChild(f);
  }
}

function padDrawing(pad) {
  // Pointer strokes on the ink canvas (mouse, touch, pen alike), one encode per animation frame.
  const canvas = pad.root.querySelector(".aeviz-pad-ink"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  let last = null, queued = false;
  const at = (ev) => {
    const box = canvas.getBoundingClientRect();
    return [((ev.clientX - box.left) / box.width) * PAD_INK, ((ev.clientY - box.top) / box.height) * PAD_INK];
  };
  const frame = () => {
    queued = false;
    const alpha = ctx.getImageData(0, 0, PAD_INK, PAD_INK).data, ink = new Float64Array(PAD_INK * PAD_INK);
    for (let i = 0; i < ink.length; i++) ink[i] = alpha[4 * i + 3] / 255;
    padShow(pad, aevizDigit(ink, PAD_INK, PAD_INK, pad.shape[0], pad.shape[1], pad.fill), false);
  };
  const line = (a, b) => {
    ctx.strokeStyle = "#000"; ctx.lineWidth = PAD_STROKE; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0] + 0.01, b[1]); ctx.stroke();
    if (!queued) { queued = true; requestAnimationFrame(frame); }
  };
  canvas.addEventListener("pointerdown", (ev) => {
    ev.preventDefault();
    canvas.setPointerCapture(ev.pointerId);
    if (pad.fromServer) { ctx.clearRect(0, 0, PAD_INK, PAD_INK); pad.fromServer = false; }
    last = at(ev);
    line(last, last);
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!last) return;
    const p = at(ev);
    line(last, p);
    last = p;
  });
  const lift = () => {
    if (!last) return;
    last = null;
    requestAnimationFrame(() => { // after the stroke's last frame: say it, and tell the server once
      padSpeak(pad);
      if (pad.digit) pad.setTriggerValue("drawn", Array.from(pad.digit, (v) => Math.round(v * 1e4) / 1e4));
    });
  };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  pad.root.querySelector(".aeviz-pad-clear").addEventListener("click", () => {
    ctx.clearRect(0, 0, PAD_INK, PAD_INK);
    padShow(pad, null, false);
    padSpeak(pad);
    pad.setTriggerValue("drawn", []);
  });
  pad.inkCtx = ctx;
  pad.frame = frame; // for bench/webdecode.py: one whole frame (read the ink, prepare, encode, show, mark)
}

function padPaint(canvas, pixels, h, w) {
  if (pixels) paintDigit(canvas, pixels, h, w);
  else { canvas.width = w; canvas.height = h; canvas.getContext("2d").clearRect(0, 0, w, h); }
}

function padShow(pad, digit, fromServer) {
  // Encode `digit` (h*w, or null: nothing drawn) and show everything it gives, here and on the panels.
  pad.digit = digit && digit.some((v) => v > 0) ? digit : null;
  const [h, w] = pad.shape, root = pad.root;
  if (fromServer && pad.inkCtx) { // the server's digit (an upload, a reload): drawn on the pad as the net reads it
    const img = pad.inkCtx.createImageData(PAD_INK, PAD_INK);
    for (let r = 0; r < PAD_INK; r++) for (let c = 0; c < PAD_INK; c++) {
      const v = pad.digit ? pad.digit[Math.floor((r * h) / PAD_INK) * w + Math.floor((c * w) / PAD_INK)] : 0;
      img.data[4 * (r * PAD_INK + c) + 3] = Math.round(255 * v);
    }
    pad.inkCtx.putImageData(img, 0, 0);
    pad.fromServer = true;
  }
  const code = pad.digit && pad.encode ? pad.encode(pad.digit) : null;
  pad.code = code;
  const seen = root.querySelector(".aeviz-pad-seen"), recon = root.querySelector(".aeviz-pad-recon");
  padPaint(seen, pad.digit, h, w);
  padPaint(recon, code && pad.decode ? pad.decode(code) : null, h, w);
  seen.setAttribute("aria-label", pad.digit ? pad.tx.seen : `${pad.tx.seen}: ${pad.tx.empty}`);
  recon.setAttribute("aria-label", code ? pad.tx.recon : `${pad.tx.recon}: ${pad.tx.empty}`);
  root.querySelector(".aeviz-pad-code").textContent = code
    ? pad.tx.code.replace("{code}", Array.from(code.slice(0, 8), (v) => v.toFixed(2)).join(", ") + (code.length > 8 ? ", …" : ""))
    : pad.tx.empty;
  pad.near = code && pad.trainCodes ? padNearest(pad.trainCodes, code.length, code, 5) : [];
  root.querySelectorAll(".aeviz-pad-near figure").forEach((f, i) => {
    const canvas = f.querySelector("canvas"), cap = f.querySelector("figcaption"), j = pad.near[i];
    f.dataset.label = j === undefined ? "" : String(pad.trainLabels[j]);
    cap.textContent = j === undefined ? "" : pad.tx.classes[pad.trainLabels[j]];
    canvas.setAttribute("aria-label", cap.textContent || pad.tx.empty);
    canvas.width = w; canvas.height = h;
    const c2 = canvas.getContext("2d");
    c2.clearRect(0, 0, w, h);
    if (j !== undefined && pad.sprite) {
      const cols = pad.spriteCols;
      c2.drawImage(pad.sprite, (j % cols) * w, Math.floor(j / cols) * h, w, h, 0, 0, w, h);
    }
  });
  for (const gd of panels.get(pad.group) || []) { // the same digit marked on every panel that places it
    if (!gd.isConnected || !gd.__aeviz.placeRun) continue;
    markDigit(gd, pad.digit ? Array.from(gd.__aeviz.placeRun(pad.digit)) : null);
  }
  if (typeof layersFollow === "function") layersFollow(pad.group, pad.digit); // the layer view of the page, if any
  root.dataset.frames = String((Number(root.dataset.frames) || 0) + 1); // for the bench and the tests
}

function padSpeak(pad) {
  // One sentence for a screen reader when a stroke ends (not on every frame).
  const status = pad.root.querySelector(".aeviz-pad-status");
  status.textContent = pad.code
    ? pad.tx.said.replace("{code}", Array.from(pad.code.slice(0, 3), (v) => v.toFixed(2)).join(", "))
      .replace("{nearest}", pad.near.map((j) => pad.tx.classes[pad.trainLabels[j]]).join(", "))
    : pad.tx.empty;
}

function padLoadSprite(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = new URL(url, document.baseURI).href;
  });
}

async function padMount(parentElement, data, setTriggerValue) {
  // The component's pad mode: data.pad = {group, shape, fill, encoder, decoder (spec URLs; the
  // encoder's spec carries train_codes and train_labels), sprite {url, cols}, digit (the server's,
  // or null), texts}.
  const spec = data.pad;
  const root = childOf(parentElement, "aeviz-pad", (el) => { padBuild(el, spec.texts); el.__pad = { root: el }; });
  const pad = root.__pad;
  Object.assign(pad, { group: spec.group, shape: spec.shape, fill: spec.fill, tx: spec.texts, setTriggerValue });
  if (!pad.inkCtx) padDrawing(pad);
  let loaded = false;
  if (pad.encoderUrl !== spec.encoder) { // another model: load its nets, its training digits' codes and images
    pad.encoderUrl = spec.encoder;
    pad.encode = pad.decode = pad.trainCodes = pad.sprite = null;
    try {
      const [enc, encSpec, dec, sprite] = await Promise.all([loadNet(spec.encoder), loadSpec(spec.encoder),
        loadNet(spec.decoder), padLoadSprite(spec.sprite.url)]);
      if (pad.encoderUrl !== spec.encoder) return; // another model came meanwhile
      Object.assign(pad, { encode: enc, decode: dec, sprite, spriteCols: spec.sprite.cols,
        trainCodes: aevizFloats(encSpec.train_codes), trainLabels: encSpec.train_labels });
      loaded = true;
    } catch (err) {
      root.querySelector(".aeviz-pad-status").textContent = `${spec.texts.failed} (${err.message})`;
      return;
    }
  }
  // The server's digit wins when it changed (an upload, Clear, a reload); a rerun that brings the
  // same one leaves a stroke in progress alone.
  const key = spec.digit ? spec.digit.join(",") : "";
  if (pad.serverKey !== key) {
    pad.serverKey = key;
    const serverDigit = spec.digit ? Float64Array.from(spec.digit) : null;
    const same = serverDigit && pad.digit && serverDigit.length === pad.digit.length
      && serverDigit.every((v, i) => Math.abs(v - pad.digit[i]) < 1e-3);
    if (!same) { padShow(pad, serverDigit, true); return; }
  }
  if (loaded) padShow(pad, pad.digit, false);
}
