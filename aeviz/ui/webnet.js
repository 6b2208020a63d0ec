// The page's own forward pass of an encoder or decoder exported by aeviz/nets/webnet.py (why not
// ONNX: there). aevizNet(spec) -> run(x, trace): x, the spec's input numbers -> Float64Array of its
// outputs, computed in float64 as infer.encode / decode do on the server, so the two agree to
// float32 rounding (tests/test_webnet.py). With an array `trace`, each stage's activations are
// pushed to it as {name, shape, values} (the layer view draws them).
// Plain script (no import/export): linked.py prepends it to the component's module, and the test
// loads it into a blank page.

function aevizFloats(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return Float64Array.from(new Float32Array(bytes.buffer));
}

function aevizErf(x) {
  // erf to ~1e-7 (Abramowitz & Stegun 7.1.26); JavaScript's Math has none. GELU needs it.
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    * Math.exp(-a * a);
  return s * y;
}

const AEVIZ_ACTS = {
  relu: (v) => (v > 0 ? v : 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  gelu: (v) => 0.5 * v * (1 + aevizErf(v / Math.SQRT2)),
};

function aevizLinear(op, x) {
  const out = new Float64Array(op.out);
  for (let o = 0; o < op.out; o++) {
    let s = op.b[o];
    const row = o * op.in;
    for (let i = 0; i < op.in; i++) s += op.w[row + i] * x[i];
    out[o] = s;
  }
  return out;
}

function aevizConvTranspose(op, x, shape) {
  // torch's ConvTranspose2d: input (cin, h, w), weight (cin, cout, kh, kw); each input pixel adds
  // its kernel, scaled, at stride steps; padding trims the border, output_padding adds to one side.
  const [cin, h, w] = shape, cout = op.out, [kh, kw] = op.kernel, [sh, sw] = op.stride;
  const [ph, pw] = op.padding, [oph, opw] = op.output_padding;
  const H = (h - 1) * sh - 2 * ph + kh + oph, W = (w - 1) * sw - 2 * pw + kw + opw;
  const out = new Float64Array(cout * H * W);
  for (let co = 0; co < cout; co++) out.fill(op.b[co], co * H * W, (co + 1) * H * W);
  for (let ci = 0; ci < cin; ci++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = x[(ci * h + i) * w + j];
        if (v === 0) continue; // after a ReLU most inputs are 0
        for (let co = 0; co < cout; co++) {
          const kbase = ((ci * cout + co) * kh) * kw, obase = co * H * W;
          for (let ky = 0; ky < kh; ky++) {
            const y = i * sh - ph + ky;
            if (y < 0 || y >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const xx = j * sw - pw + kx;
              if (xx >= 0 && xx < W) out[obase + y * W + xx] += v * op.w[kbase + ky * kw + kx];
            }
          }
        }
      }
    }
  }
  return [out, [cout, H, W]];
}

function aevizConv2d(op, x, shape) {
  // torch's Conv2d: input (cin, h, w), weight (cout, cin, kh, kw), zero padding.
  const [cin, h, w] = shape, cout = op.out, [kh, kw] = op.kernel, [sh, sw] = op.stride, [ph, pw] = op.padding;
  const H = Math.floor((h + 2 * ph - kh) / sh) + 1, W = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const out = new Float64Array(cout * H * W);
  for (let co = 0; co < cout; co++) {
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let s = op.b[co];
        for (let ci = 0; ci < cin; ci++) {
          for (let ky = 0; ky < kh; ky++) {
            const i = y * sh - ph + ky;
            if (i < 0 || i >= h) continue;
            const kbase = ((co * cin + ci) * kh + ky) * kw, xbase = (ci * h + i) * w;
            for (let kx = 0; kx < kw; kx++) {
              const j = xx * sw - pw + kx;
              if (j >= 0 && j < w) s += op.w[kbase + kx] * x[xbase + j];
            }
          }
        }
        out[(co * H + y) * W + xx] = s;
      }
    }
  }
  return [out, [cout, H, W]];
}

function aevizNet(spec) {
  const layers = spec.layers.map((l) => ({ ...l, w: l.w && aevizFloats(l.w), b: l.b && aevizFloats(l.b) }));
  return function run(z, trace) {
    let x = Float64Array.from(z);
    let shape = [x.length];
    for (const op of layers) {
      if (op.op === "linear") { x = aevizLinear(op, x); shape = [op.out]; }
      else if (op.op === "image") { // flat (h*w) -> (1, H, W), zero-padded at the right and bottom
        const [h, w] = op.shape, [H, W] = op.padded, out = new Float64Array(H * W);
        for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r * W + c] = x[r * w + c];
        x = out; shape = [1, H, W];
      }
      else if (op.op === "conv2d") [x, shape] = aevizConv2d(op, x, shape);
      else if (op.op === "flatten") shape = [x.length];
      else if (op.op in AEVIZ_ACTS) { const f = AEVIZ_ACTS[op.op]; for (let i = 0; i < x.length; i++) x[i] = f(x[i]); }
      else if (op.op === "reshape") shape = op.shape;
      else if (op.op === "conv_transpose") [x, shape] = aevizConvTranspose(op, x, shape);
      else if (op.op === "crop") { // (1, H, W) -> its top-left (h, w), flat
        const [, , W] = shape, [h, w] = op.shape, out = new Float64Array(h * w);
        for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r * w + c] = x[r * W + c];
        x = out; shape = [h * w];
      } else throw new Error(`no forward pass for layer ${op.op}`);
      if (trace && op.stage) trace.push({ name: op.stage, shape: shape.slice(), values: Float64Array.from(x) });
    }
    return x;
  };
}
