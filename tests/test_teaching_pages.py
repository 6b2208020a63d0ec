"""The pages a teacher teaches with, in a real browser: the replay's one scrubber, the Lessons
page's table of contents, the Denoising page's denoiser."""
import re

import pytest
from browser import browser_page, find_chromium, streamlit_server, wait_idle

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")

# Shows frame `name` of the page's replay (as its slider would), then counts the drawn points of the
# map whose centre lies outside the map's plot area; returns the count, the points and the subtitle.
FRAME = """async (name) => { const gd = document.querySelector('.js-plotly-plot');
  await Plotly.animate(gd, [name], {mode: 'immediate', frame: {duration: 0, redraw: true}, transition: {duration: 0}});
  const box = gd.querySelector('.draglayer .xy .nsewdrag').getBoundingClientRect();
  let outside = 0, points = 0;
  gd.querySelectorAll('.subplot.xy .scatterlayer path.point').forEach(p => {
    const r = p.getBoundingClientRect(), cx = r.x + r.width / 2, cy = r.y + r.height / 2; points++;
    if (cx < box.left || cx > box.right || cy < box.top || cy > box.bottom) outside++; });
  return {outside, points, subtitle: gd.querySelector('.gtitle-subtitle').textContent}; }"""


def test_the_replay_has_one_scrubber_and_keeps_every_point_in_the_frame():
    with streamlit_server() as url, browser_page() as page:
        page.goto(url + "/replay?data=digits&epochs=6")
        page.wait_for_function("() => { const gd = document.querySelector('.js-plotly-plot');"
                               " return gd && gd._transitionData && gd._transitionData._frames.length === 7; }",
                               timeout=120_000)
        wait_idle(page)
        page.wait_for_timeout(500)
        main = page.locator("[data-testid='stMain']")
        assert main.locator(".js-plotly-plot").count() == 1  # one plot
        assert main.locator("[data-testid='stSlider']").count() == 0  # no second scrubber of Streamlit's
        assert main.locator(".js-plotly-plot .slider-container").count() == 1
        for name in ("0", "3", "6"):
            drawn = page.evaluate(FRAME, name)
            assert drawn["points"] >= 300 and drawn["outside"] == 0, (name, drawn)
            epoch = re.match(r"Epoch (\d+)( · validation error [\d.]+)?$", drawn["subtitle"])
            assert epoch and epoch.group(1) == name and (name == "0") == (epoch.group(2) is None), drawn
