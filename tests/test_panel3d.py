"""A 3-number code in headless Chromium: the Latent page draws three rotatable 3-D panels (the code,
PCA-3, UMAP-3) with their scores; the page's projection of a point to the screen is plotly's own
(the point hovered there is that point); a lasso drawn with the panel's Lasso lights the same
digits in all three and the server's gallery counts them."""
import re

import pytest
from browser import browser_page, find_chromium, streamlit_server, wait_idle

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")

# The ids each 3-D panel lights: points whose colour is not the unlit grey (none while uncoloured).
LIT_3D = """() => [...document.querySelectorAll('.aeviz-panel')].map(gd => gd.data.flatMap(t =>
  Array.isArray(t.marker.color) ? Array.from(t.customdata, Number).filter((id, i) => t.marker.color[i] !== '#D0D0D0')
  : []).sort((a, b) => a - b))"""
# The first panel's points where the page projects them (pixels in the page), [id, x, y], those
# with no other point within 10 px first (a point hidden behind a neighbour cannot be hovered).
POINTS = """() => { const gd = document.querySelectorAll('.aeviz-panel')[0], at = gd.__aeviz.project3d();
  const b = gd.getBoundingClientRect(), all = [];
  gd._fullData.forEach(t => { if (t.customdata) for (let i = 0; i < t.x.length; i++) {
    const [x, y] = at(t.x[i], t.y[i], t.z[i]); all.push([Number(t.customdata[i]), b.left + x, b.top + y]); } });
  const gap = p => Math.min(...all.filter(q => q !== p).map(q => Math.hypot(q[1] - p[1], q[2] - p[2])));
  return all.map(p => [gap(p), p]).sort((a, b) => b[0] - a[0]).map(e => e[1]); }"""


def test_a_3_number_code_is_drawn_in_3d_beside_pca_3_and_umap_3_and_a_lasso_lights_all_three(tmp_path):
    with streamlit_server(env={"AEVIZ_CACHE": str(tmp_path)}) as url, browser_page(1500, 1300) as page:
        page.goto(url + "/?k=3&epochs=10")
        page.wait_for_function("() => { const p = [...document.querySelectorAll('.aeviz-panel')]; return p.length === 3"
                               " && p.every(gd => gd._fullData && gd._fullData[0].type === 'scatter3d'); }",
                               timeout=180_000)
        wait_idle(page)
        page.wait_for_timeout(1000)  # WebGL's first frames
        scores = page.get_by_text(re.compile(r"^trustworthiness [\d.]+ · kNN accuracy [\d.]+ · silhouette"))
        assert scores.count() == 3
        hovered = []
        page.evaluate("() => document.querySelectorAll('.aeviz-panel')[0].on('plotly_hover', "
                      "(ev) => { window.__hovered = Number(ev.points[0].customdata); })")
        points = page.evaluate(POINTS)
        for want, x, y in points[:8]:
            page.mouse.move(x + 40, y + 40)
            page.mouse.move(x, y)
            page.wait_for_timeout(150)
            hovered.append((want, page.evaluate("() => window.__hovered")))
        assert sum(a == b for a, b in hovered) >= 7, hovered  # the page's projection is plotly's
        want, x, y = points[0]
        page.locator(".aeviz-lasso3d").first.click()
        page.mouse.move(x - 25, y - 25)
        page.mouse.down()
        for dx, dy in [(25, -25), (25, 25), (-25, 25), (-25, -24)]:
            page.mouse.move(x + dx, y + dy, steps=4)
        page.mouse.up()
        page.get_by_text("Selected digits and their reconstructions").first.wait_for(timeout=30_000)
        wait_idle(page)
        count = int(page.get_by_text(re.compile(r"^\d+ selected")).first.inner_text().split()[0])
        lit = page.evaluate(LIT_3D)
        assert 0 < count == len(lit[0]) and lit[0] == lit[1] == lit[2] and want in lit[0], \
            (count, [len(v) for v in lit])
        page.keyboard.press("Escape")
        # A digit drawn on the pad is marked in the 3-D AE and PCA panels too (its own trace).
        box = page.locator(".aeviz-pad-ink").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20, steps=8)
        page.mouse.up()
        marked = ("() => [...document.querySelectorAll('.aeviz-panel')].map(gd => { const t = gd.data.find("
                  "t => t.meta === 'aeviz-drawn'); return t && t.x.length === 1 && t.x[0] !== null; })")
        page.wait_for_function(f"() => {{ const m = ({marked})(); return m[0] && m[1]; }}", timeout=10_000)
        page.wait_for_function(f"() => ({marked})()[2]", timeout=90_000)  # UMAP-3 places it when the pen lifts
