"""Helpers for the real-browser tests: a Streamlit server on 127.0.0.1 and headless Chromium."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(str):
    """The base URL of a running server, with its `pid` and the `log()` it has written so far."""

    pid: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def streamlit_server(timeout: float = 60, env: dict | None = None):
    """`streamlit run app.py` on a free local port, with `env` added to the environment; yields a
    Server (the base URL). Its output goes to a file: a pipe nobody reads would fill and stall it."""
    import tempfile

    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
           f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
    log_dir = tempfile.TemporaryDirectory(prefix="aeviz-server-")
    log_path = Path(log_dir.name) / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = Server(f"http://127.0.0.1:{port}")
    server.pid, server.log_path = proc.pid, log_path
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(server + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            if proc.poll() is not None:
                raise RuntimeError(server.log())
            time.sleep(0.3)
        else:
            raise TimeoutError("streamlit did not become healthy")
        yield server
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        log_dir.cleanup()


@contextlib.contextmanager
def browser_page(width: int = 1500, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            yield page
        finally:
            browser.close()


# The digit ids drawn lit in each linked Latent panel, sorted, one list per panel. SVG points: those
# at opacity 1 (the figures' selected style), read from the drawn SVG itself (each point's path is
# bound to its calcdata entry, each trace's group to the trace's calcdata, whose trace carries the
# ids as customdata). WebGL points: those in the scene's selected batch, which it draws in the
# selected style while any trace of it is in select mode. Used by the browser tests and the benches.
DRAWN_LIT = """() => [...document.querySelectorAll('.aeviz-panel')].map(gd => {
  const ids = [];
  gd.querySelectorAll('.scatterlayer .trace').forEach(g => { const cd = g.__data__, t = cd[0].trace;
    g.querySelectorAll('path.point').forEach(p => {
      if (Number(p.style.opacity) === 1) ids.push(Number(t.customdata[cd.indexOf(p.__data__)])); }); });
  (gd.calcdata || []).forEach(cd => { const t = cd[0].trace, st = cd[0].t, sc = st && st._scene;
    if (t.type !== 'scattergl' || !sc || !sc.selectBatch) return;
    if (!sc.selectBatch.some((b, i) => b.length || sc.unselectBatch[i].length)) return;
    sc.selectBatch[st.index].forEach(j => ids.push(Number(t.customdata[j]))); });
  return ids.sort((a, b) => a - b); })"""

# The digit ids each linked Latent panel draws, sorted, one list per panel: its SVG points, and the
# WebGL points its scenes were given at finite positions. With their renderer: "svg", "webgl".
DRAWN_IDS = """() => [...document.querySelectorAll('.aeviz-panel')].map(gd => {
  const ids = [], kinds = new Set();
  gd.querySelectorAll('.scatterlayer .trace').forEach(g => { const cd = g.__data__, t = cd[0].trace;
    g.querySelectorAll('path.point').forEach(p => { kinds.add('svg');
      ids.push(Number(t.customdata[cd.indexOf(p.__data__)])); }); });
  (gd.calcdata || []).forEach(cd => { const t = cd[0].trace, st = cd[0].t, sc = st && st._scene;
    if (t.type !== 'scattergl' || !sc || !sc.markerOptions[st.index]) return;
    const pos = sc.markerOptions[st.index].positions;
    for (let j = 0; j < pos.length / 2; j++)
      if (Number.isFinite(pos[2 * j]) && Number.isFinite(pos[2 * j + 1])) { kinds.add('webgl');
        ids.push(Number(t.customdata[j])); } });
  return {kinds: [...kinds].sort().join(), ids: ids.sort((a, b) => a - b)}; })"""


def lasso(page, panel: int = 0, inset: float = 0.2) -> None:
    """Draw a lasso around the middle of the plot area of the page's `panel`-th plotly chart: a
    rectangle `inset` (a fraction of each side) in from the edges."""
    area = page.locator(".js-plotly-plot").nth(panel).locator(".nsewdrag").first
    area.scroll_into_view_if_needed()  # the mouse reaches only what is in the viewport
    box = area.bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    lo, hi = inset, 1 - inset
    page.mouse.move(x0 + lo * w, y0 + lo * h)
    page.mouse.down()
    for fx, fy in [(hi, lo), (hi, hi), (lo, hi), (lo, lo + 0.05)]:
        page.mouse.move(x0 + fx * w, y0 + fy * h, steps=8)
    page.mouse.up()


def upload_data(page, path, said: str, timeout: float = 60_000) -> None:
    """Upload the data file `path` through the sidebar (whose data choice is "upload": `?data=upload`)
    and wait until the page says `said` (e.g. "20,000 images") and has stopped running."""
    uploader = page.locator(".st-key-data_file input[type='file']")
    uploader.wait_for(state="attached", timeout=60_000)
    uploader.set_input_files(str(path))
    page.get_by_text(said).first.wait_for(timeout=timeout)
    wait_idle(page, timeout=timeout)


def wait_idle(page, timeout: float = 90_000, poll: float = 300) -> None:
    """Until Streamlit's script has stopped running (the 'Running...' status widget is gone)."""
    page.wait_for_timeout(poll)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout, polling=50)


def take_screenshots(out: Path, query: str = "", pages=("latent", "denoising", "decoder", "replay"),
                     lang: str = "en") -> list[Path]:
    """Screenshots of every page with the default settings (what the README shows), in `lang`."""
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere
    from aeviz import i18n

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    query = f"{query}&lang={lang}" if query else f"?lang={lang}"
    with streamlit_server() as url, browser_page(1500, 1050) as page:
        for name in pages:
            page.goto(f"{url}/{'' if name == 'latent' else name}{query}")  # the default page lives at /
            page.get_by_text(i18n.t("common.about", lang)).first.wait_for(timeout=120_000)
            want = {"latent": 3, "replay": 1}.get(name, 2)
            page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {want}",
                                   timeout=180_000)
            if name == "denoising":  # the page's denoiser and the CNN's readings, once trained
                done = i18n.t("denoise.cnn_label", lang, name=i18n.t("denoise.row.denoiser", lang))
                page.get_by_text(done).first.wait_for(timeout=180_000)
            if name == "latent":  # the UMAP panel, not the loss chart of a training still running
                page.wait_for_function("() => [...document.querySelectorAll('.gtitle')]"
                                       ".some(e => e.textContent === 'UMAP')", timeout=180_000)
            wait_idle(page)
            page.wait_for_timeout(1500)  # let plotly finish drawing
            if name == "decoder":  # the pointer over the plane: the digit the page decodes there
                box = page.locator(".aeviz-panel").first.locator(".nsewdrag").first.bounding_box()
                page.mouse.move(box["x"] + 0.42 * box["width"], box["y"] + 0.36 * box["height"], steps=5)
                page.wait_for_timeout(500)
            saved.append(out / f"{name}.png")
            page.screenshot(path=str(saved[-1]))
    return saved


def take_selection_screenshot(out: Path) -> Path:
    """The Latent page after a lasso in the autoencoder's panel: the same digits lit in every
    panel, and the gallery of them with their reconstructions below."""
    path = out / "selection.png"
    with streamlit_server() as url, browser_page(1500, 1500) as page:
        page.goto(url + "/")
        page.wait_for_function("() => [...document.querySelectorAll('.gtitle')].some(e => e.textContent === 'UMAP')",
                               timeout=180_000)
        wait_idle(page)
        lasso(page, inset=0.3)
        page.get_by_text("Selected digits and their reconstructions").first.wait_for(timeout=60_000)
        wait_idle(page)
        page.mouse.move(5, 5)  # no hover label or toolbar over the panels
        page.wait_for_timeout(1500)
        page.screenshot(path=str(path))
    return path


def take_lessons_screenshot(out: Path, lesson: str = "chapter-example", lang: str = "en") -> Path:
    """One lesson's page after it has run: its badge, claim, the chapter's sentence, the verdict."""
    sys.path.insert(0, str(ROOT))
    from aeviz import i18n

    out.mkdir(parents=True, exist_ok=True)
    path = out / "lessons.png"
    with streamlit_server() as url, browser_page(1500, 1300) as page:
        page.goto(f"{url}/lessons?lesson={lesson}&lang={lang}")
        page.locator(f".st-key-run_{lesson} button").click()
        page.get_by_text(i18n.t("lessons_page.criterion", lang, criterion="")).first.wait_for(timeout=180_000)
        wait_idle(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(path))
        page.get_by_role("link", name=i18n.t("lessons_page.all", lang)).click()  # the contents, its badge filled
        page.wait_for_selector("[class*='st-key-toc_']", timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(out / "lessons-contents.png"))
    return path


def draw_on_pad(page, path=((0.25, 0.2), (0.75, 0.2), (0.45, 0.85))) -> None:
    """Draw one stroke through `path` (fractions of the pad: a 7 by default) on the page's pad."""
    pad = page.locator(".aeviz-pad-ink")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in path]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=12)
    page.mouse.up()


def take_touch_screenshots(out: Path, lang: str = "en") -> list[Path]:
    """The ways to touch a model (README): a digit drawn on the Latent page's pad, marked on every
    panel; Inside the net; a 3-number code in 3-D after a lasso; the Decoder plane painted with
    the CNN's confidence."""
    sys.path.insert(0, str(ROOT))
    from aeviz import i18n

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with streamlit_server() as url, browser_page(1500, 1250) as page:
        page.goto(f"{url}/?lang={lang}")
        page.wait_for_function("() => [...document.querySelectorAll('.gtitle')].some(e => e.textContent === 'UMAP')",
                               timeout=180_000)
        wait_idle(page)
        draw_on_pad(page)
        page.wait_for_function("() => [...document.querySelectorAll('.aeviz-drawn')]"
                               ".filter(m => m.style.display === 'block').length === 3", timeout=120_000)
        wait_idle(page)
        page.evaluate("() => window.scrollTo(0, 250)")
        page.mouse.move(5, 5)
        page.wait_for_timeout(1000)
        shots.append(out / "drawing.png")
        page.screenshot(path=str(shots[-1]))
        page.goto(f"{url}/inside?lang={lang}")
        page.wait_for_function("() => document.querySelectorAll('.aeviz-layer canvas').length >= 8", timeout=120_000)
        wait_idle(page)
        plane = page.locator(".aeviz-layers-plane")
        plane.scroll_into_view_if_needed()
        box = plane.bounding_box()
        page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.35 * box["height"], steps=8)
        page.mouse.up()
        page.evaluate("() => window.scrollTo(0, 420)")
        page.wait_for_timeout(800)
        shots.append(out / "inside.png")
        page.screenshot(path=str(shots[-1]))
        page.goto(f"{url}/decoder?lang={lang}")
        page.locator(".aeviz-panel").first.wait_for(timeout=120_000)
        wait_idle(page)
        page.get_by_text(i18n.t("decoder.confidence", lang)).click()
        page.wait_for_function("() => { const gd = document.querySelector('.aeviz-panel'); "
                               "return gd && gd._fullData && gd._fullData.length === 2; }", timeout=180_000)
        wait_idle(page)
        page.wait_for_timeout(1000)
        shots.append(out / "confidence.png")
        page.screenshot(path=str(shots[-1]))
        page.goto(f"{url}/?k=3&lang={lang}")
        page.wait_for_function("() => { const p = [...document.querySelectorAll('.aeviz-panel')]; return p.length === 3"
                               " && p.every(gd => gd._fullData && gd._fullData[0].type === 'scatter3d'); }",
                               timeout=240_000)
        wait_idle(page)
        page.locator(".aeviz-lasso3d").first.click()
        cover = page.locator(".aeviz-lasso3d-cover").first.bounding_box()
        x0, y0, w, h = cover["x"], cover["y"], cover["width"], cover["height"]
        page.mouse.move(x0 + 0.35 * w, y0 + 0.35 * h)
        page.mouse.down()
        for fx, fy in [(0.55, 0.3), (0.6, 0.55), (0.4, 0.6), (0.35, 0.37)]:
            page.mouse.move(x0 + fx * w, y0 + fy * h, steps=6)
        page.mouse.up()
        page.wait_for_selector("[data-testid='stImage'], .js-plotly-plot >> nth=3", timeout=60_000)
        wait_idle(page)
        page.mouse.move(5, 5)
        page.wait_for_timeout(1500)
        shots.append(out / "latent3d.png")
        page.screenshot(path=str(shots[-1]))
    return shots


def take_board_screenshot(out: Path, lang: str = "en") -> Path:
    """The class board after four students shared (three kinds, three bottlenecks) and the teacher
    set a task: the task above the page, the ranked table with its maps, the class's scatter."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from aeviz import i18n

    out.mkdir(parents=True, exist_ok=True)
    students = [("Ana", "k=2"), ("Bruno", "k=2&seed=1"), ("Carla", "k=3&kind=variational"), ("Davi", "k=8")]
    token = "screenshot-teacher"
    with tempfile.TemporaryDirectory() as cache, \
            streamlit_server(env={"AEVIZ_CACHE": cache, "AEVIZ_TEACHER_TOKEN": token}) as url, \
            browser_page(1500, 1400) as page:
        for name, query in students:
            student = page.context.browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
            student.goto(f"{url}/?data=digits&epochs=15&{query}&lang={lang}")
            student.wait_for_function("() => document.querySelectorAll('.aeviz-panel').length >= 2", timeout=180_000)
            student.get_by_label(i18n.t("share.name", lang), exact=True).fill(name)
            student.get_by_role("button", name=i18n.t("share.button", lang)).click()
            student.get_by_text(i18n.t("share.done", lang, name=name), exact=True).wait_for(timeout=30_000)
            student.context.close()
        page.goto(f"{url}/board?lang={lang}")
        page.get_by_text(i18n.t("board.teacher_header", lang)).click()
        page.get_by_label(i18n.t("board.token", lang), exact=True).fill(token)
        page.get_by_role("button", name=i18n.t("board.sign_in", lang)).click()
        page.get_by_label(i18n.t("board.task_text", lang), exact=True).fill(i18n.t("board.task_placeholder", lang))
        page.get_by_role("button", name=i18n.t("board.set_task", lang)).click()
        page.get_by_text(i18n.t("board.signed_in", lang)).wait_for(timeout=30_000)
        page.get_by_text(i18n.t("board.teacher_header", lang)).click()  # folded again: the board itself shows
        wait_idle(page)
        page.get_by_text(i18n.t("board.task_label", lang)).scroll_into_view_if_needed()  # from the task down
        page.wait_for_timeout(1500)
        path = out / "board.png"
        page.screenshot(path=str(path))
    return path


if __name__ == "__main__":  # python tests/browser.py [OUT_DIR]: refresh the README's screenshots
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "assets")
    for p in take_screenshots(out) + [take_selection_screenshot(out)] + take_screenshots(out / "pt", lang="pt"):
        print(p)
    for lang, folder in (("en", out), ("pt", out / "pt")):
        for p in take_touch_screenshots(folder, lang):
            print(p)
    for lang, folder in (("en", out), ("pt", out / "pt")):
        print(take_lessons_screenshot(folder, lang=lang))
        print(take_board_screenshot(folder, lang=lang))


@contextlib.contextmanager
def ray_head(cpus: int = 2):
    """`ray start --head --block` with a token of its own; yields (address, env for its drivers)
    and stops the head, and every Ray process it started, on exit."""
    import re
    import signal
    import tempfile

    run = tempfile.TemporaryDirectory(prefix="aeviz-ray-")
    token = Path(run.name) / "token"
    token.write_text(os.urandom(32).hex())
    env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    log_path = Path(run.name) / "ray.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["ray", "start", "--head", "--block", f"--port={free_port()}", f"--num-cpus={cpus}",
                                 "--include-dashboard=false", "--disable-usage-stats"], env={**os.environ, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 120
        while not (m := re.search(r"ray start --address='([^']+)'", log_path.read_text(errors="replace"))):
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(log_path.read_text(errors="replace"))
            time.sleep(0.3)
        yield m.group(1), env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        run.cleanup()


def tree_peak_rss_mb(pids) -> float:
    """The sum over processes `pids` and all their descendants of each one's peak RSS (VmHWM), in
    MB: an upper bound of their peak together."""
    seen, todo, total = set(), [str(p) for p in pids], 0.0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo += subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


# axe-core, pinned in tests/a11y/package.json: `cd tests/a11y && npm ci` puts it here.
AXE_JS = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")


def find_axe() -> Path | None:
    return AXE_JS if AXE_JS.is_file() else None


def axe_violations(page, impacts=SERIOUS) -> list[dict]:
    """Inject axe-core into `page` (once per document) and run it on the whole document; the
    violations of an impact in `impacts`, each as {id, impact, help, nodes: [{target, html,
    summary}]}: short enough for an assertion message, precise enough to act on."""
    if find_axe() is None:
        raise FileNotFoundError(f"{AXE_JS} is missing: cd tests/a11y && npm ci")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (impacts) => {
             const r = await axe.run(document, {resultTypes: ["violations"]});
             return r.violations.filter(v => impacts.includes(v.impact)).map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                         summary: (n.failureSummary || "").slice(0, 300)}))}));
           }""", list(impacts))


def format_violations(violations: list[dict], per_rule: int = 6) -> str:
    """The violations, one rule a paragraph and one failing element a line, for a failure message."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for n in v["nodes"][:per_rule]:
            detail = " ".join(n["summary"].split())
            lines.append(f"    {n['target']}  {n['html']}\n      {detail}")
        if len(v["nodes"]) > per_rule:
            lines.append(f"    ... and {len(v['nodes']) - per_rule} more")
    return "\n".join(lines)


def shifted_digits(n: int, seed: int = 0):
    """n 28x28 digits as an upload holds them: MNIST-5k's 5,000, each moved by up to two pixels
    each way (np.roll), cycled; -> (images (n, 28, 28) uint8, labels (n,)). A large upload made
    here: the browser test and bench/big.py need more digits than ship with the app."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from aeviz import data

    ds = data.load("mnist-5k")
    x = np.concatenate([ds.x_train, ds.x_test]).reshape(-1, 28, 28)
    y = np.concatenate([ds.y_train, ds.y_test])
    rng = np.random.default_rng(seed)
    shifts = rng.integers(-2, 3, size=(n, 2))
    src = np.arange(n) % len(x)
    out = np.empty((n, 28, 28), dtype=np.uint8)
    for i in range(n):  # ~0.1 s for 70,000
        out[i] = np.roll(np.round(x[src[i]] * 255).astype(np.uint8), tuple(shifts[i]), axis=(0, 1))
    return out, y[src]
