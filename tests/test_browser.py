"""Real-browser test: streamlit run app.py, driven by Playwright in headless Chromium."""
import os
import re
from pathlib import Path

import pytest
from browser import (
    DRAWN_IDS,
    DRAWN_LIT,
    browser_page,
    find_chromium,
    lasso,
    shifted_digits,
    streamlit_server,
    upload_data,
    wait_idle,
)

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")


def _shots(tmp_path) -> Path:
    out = Path(os.environ.get("AEVIZ_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    return out


# The digit ids lit in each linked Latent panel as plotly's selectedpoints, mapped to the ids in
# customdata (DRAWN_LIT reads the same from the drawn points).
LIT = """() => [...document.querySelectorAll('.aeviz-panel')].map(gd => gd.data.flatMap((t, i) =>
  (t.selectedpoints || []).map(j => Number(gd._fullData[i].customdata[j]))).sort((a, b) => a - b))"""


def _plots(page):
    return page.locator(".js-plotly-plot")


def test_train_compare_select_in_a_real_browser(tmp_path):
    shots = _shots(tmp_path)
    with streamlit_server() as url, browser_page() as page:
        page.goto(url + "/?data=digits&epochs=5")
        page.get_by_role("heading", name="Latent space").wait_for(timeout=60_000)
        # Move the bottleneck slider from 2 to 4 with the keyboard, then train (a 4-number code is
        # drawn in 2-D, by PCA of the codes; tests/test_panel3d.py has the 3-D panels).
        slider = page.locator(".st-key-w_k input[type='range']")
        slider.focus()
        slider.press("ArrowRight")
        slider.press("ArrowRight")
        wait_idle(page)
        assert slider.input_value() == "4"
        page.locator(".st-key-train_button button").click()
        page.get_by_text("4-D code").first.wait_for(timeout=90_000)
        # Autoencoder, PCA and UMAP panels.
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000)
        wait_idle(page)
        page.screenshot(path=str(shots / "latent.png"), full_page=True)
        assert "k=4" in page.url
        # Lasso-select a region of the first panel: the same digits light up in every panel.
        lasso(page)
        page.get_by_text("selected").first.wait_for(timeout=30_000)
        page.get_by_text("Selected digits and their reconstructions").first.wait_for(timeout=30_000)
        wait_idle(page)
        page.screenshot(path=str(shots / "selection.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        count = int(page.get_by_text(re.compile(r"^\d+ selected")).first.inner_text().split()[0])
        # Each panel paints from its own timer: wait until all three hold the selection and draw it.
        page.wait_for_function(f"() => {{ const l = ({LIT})(), d = ({DRAWN_LIT})(); return l.length === 3 "
                               f"&& l.every(ids => ids.length === {count} && ids.join() === l[0].join()) "
                               f"&& JSON.stringify(d) === JSON.stringify(l); }}", timeout=10_000)
        lit = page.evaluate(LIT)
        assert count > 0 and len(lit) == 3 and all(ids == lit[0] for ids in lit) and len(lit[0]) == count
        assert page.evaluate(DRAWN_LIT) == lit  # and drawn so
        # A second lasso in another panel replaces the first everywhere (the old lasso is cleared).
        lasso(page, panel=2, inset=0.35)
        page.wait_for_function(f"() => {{ const l = ({LIT})(); return l.every(ids => ids.join() === l[2].join()) "
                               f"&& l[2].join() !== {lit[0]!r}.join() "
                               f"&& JSON.stringify(({DRAWN_LIT})()) === JSON.stringify(l); }}", timeout=10_000)
        wait_idle(page)
        assert page.evaluate(DRAWN_LIT) == page.evaluate(LIT)
        page.get_by_role("button", name="Clear selection").click()
        page.get_by_text("Drag a box or lasso in any panel to select digits.", exact=True).wait_for(timeout=30_000)
        page.wait_for_function(f"() => ({LIT})().every(ids => ids.length === 0)", timeout=10_000)
        # Nothing at the selected style; every point back at the figure's own opacity (0.8).
        assert page.evaluate(DRAWN_LIT) == [[], [], []]
        assert page.evaluate("() => [...document.querySelectorAll('.aeviz-panel path.point')]"
                             ".every(p => Number(p.style.opacity) === 0.8)")
        # Thumbnails on and off: each panel changes in place (an image, the points' opacity).
        toggle = page.get_by_text("Digit thumbnails")
        for on, opacity in [(True, 0.25), (False, 0.8)]:
            toggle.click()
            images = f"document.querySelectorAll('.aeviz-panel .layer-above image').length === {3 if on else 0}"
            page.wait_for_function(f"() => {images} && [...document.querySelectorAll('.aeviz-panel')].every("
                                   f"gd => gd._fullData.every(t => t.marker.opacity === {opacity}))", timeout=30_000)
        wait_idle(page)
        # Export the first panel as PNG from its Export menu (kaleido renders it on click).
        page.get_by_role("button", name="Export").first.click()
        body = page.locator("[data-testid='stPopoverBody']").first
        with page.expect_download(timeout=60_000) as dl:
            body.get_by_role("button", name="PNG").click()
        png = tmp_path / "panel.png"
        dl.value.save_as(png)
        from PIL import Image

        assert dl.value.suggested_filename.endswith(".png") and Image.open(png).size[0] >= 600
        page.keyboard.press("Escape")
        for name, path in [("denoising", "denoising"), ("decoder", "decoder"), ("replay", "replay")]:
            page.goto(f"{url}/{path}?data=digits&epochs=5&k=2")
            page.get_by_text("About this view").first.wait_for(timeout=60_000)
            want = 1 if name == "replay" else 2
            page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {want}",
                                   timeout=90_000)
            wait_idle(page)
            assert page.locator("[data-testid='stException']").count() == 0, name
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_every_held_out_digit_of_a_20000_image_upload_is_drawn_and_lit_everywhere(tmp_path):
    """20,000 uploaded digits hold out 4,000: every panel draws all of them (in WebGL), says that
    its scores use a sample, and a lasso in one panel lights the same digits in all three."""
    import numpy as np

    x, y = shifted_digits(20_000)
    upload = tmp_path / "digits20k.npz"
    np.savez_compressed(upload, x=x, y=y)
    held_out = list(range(4000))  # the view's ids: every digit of the test split
    with streamlit_server() as url, browser_page() as page:
        page.goto(url + "/?data=upload&epochs=2")
        upload_data(page, upload, "20,000 images")
        page.locator(".st-key-train_button button").click()
        page.wait_for_function(f"() => {{ const d = ({DRAWN_IDS})(); return d.length === 3 "
                               f"&& d.every(p => p.ids.length === {len(held_out)}); }}", timeout=240_000)
        drawn = page.evaluate(DRAWN_IDS)
        assert [p["kinds"] for p in drawn] == ["webgl"] * 3
        assert all(p["ids"] == held_out for p in drawn)
        wait_idle(page)
        said = "All 4,000 held-out digits drawn; scored on a stratified sample of 2,000 of them"
        assert page.get_by_text(said).count() == 3  # one line under each panel
        lasso(page, panel=1, inset=0.3)
        page.wait_for_function(f"() => {{ const l = ({LIT})(), d = ({DRAWN_LIT})(); return l.length === 3 "
                               f"&& l[0].length > 0 && l.every(ids => ids.join() === l[0].join()) "
                               f"&& JSON.stringify(d) === JSON.stringify(l); }}", timeout=10_000)
        lit = page.evaluate(DRAWN_LIT)
        assert 0 < len(lit[0]) < len(held_out)
        page.get_by_text(re.compile(rf"^{len(lit[0])} selected")).first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(_shots(tmp_path) / "latent-20k.png"), full_page=True)


def _wait_for_plots(page, server, n: int, timeout: float) -> None:
    """Until the page draws `n` plotly charts; if it does not, fail with what the page and the
    server said (a CI run that times out must leave its cause in the log)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {n}",
                               timeout=timeout)
    except PlaywrightTimeout:
        text = page.locator("body").inner_text()[-3000:]
        raise AssertionError(f"fewer than {n} charts after {timeout / 1000:.0f} s.\n--- page:\n{text}"
                             f"\n--- server log:\n{server.log()[-3000:]}") from None


def test_hostile_upload_is_refused_and_the_app_keeps_working(tmp_path):
    import numpy as np

    evil = tmp_path / "evil.npy"
    np.save(evil, np.array([{"x": 1}, None], dtype=object), allow_pickle=True)  # a pickled object array
    good = tmp_path / "mine.npz"
    rng = np.random.default_rng(0)
    np.savez(good, x=(rng.random((120, 8, 8)) * 255).astype(np.uint8), y=np.repeat(np.arange(3), 40))
    with streamlit_server() as url, browser_page() as page:
        page.goto(url + "/?data=upload&epochs=3")
        uploader = page.locator(".st-key-data_file input[type='file']")
        uploader.wait_for(state="attached", timeout=60_000)
        uploader.set_input_files(str(evil))
        page.get_by_text("pickled").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(_shots(tmp_path) / "upload-refused.png"))
        uploader.set_input_files(str(good))
        page.get_by_text("120 images").first.wait_for(timeout=30_000)
        wait_idle(page)  # the run that reads the upload has ended: Train is this run's button
        page.locator(".st-key-train_button button").click()
        _wait_for_plots(page, url, 2, timeout=120_000)
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0


def test_saved_model_pair_loads_back_in_the_app(tmp_path):
    with streamlit_server() as url, browser_page() as page:
        page.goto(url + "/?data=digits&epochs=3")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000)
        wait_idle(page)
        error = page.get_by_text("Held-out reconstruction error").locator("xpath=../../..").inner_text()
        files = []
        for label in ("Weights", "Model config"):
            with page.expect_download(timeout=60_000) as dl:
                page.get_by_role("button", name=label).click()
            path = tmp_path / dl.value.suggested_filename
            dl.value.save_as(path)
            files.append(str(path))
        assert sorted(p.rsplit("/", 1)[1] for p in files) == ["model.json", "model.safetensors"]
        fresh = page.context.browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()  # another session
        fresh.goto(url + "/?data=mnist-10x10&epochs=2")
        fresh.get_by_text("Load a trained model").click()
        fresh.locator(".st-key-model_files input[type='file']").set_input_files(files)
        fresh.wait_for_function(  # the sidebar follows the loaded model's configuration
            "() => document.querySelector('.st-key-w_data').innerHTML.includes('Digits (8x8)')", timeout=60_000)
        fresh.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000)
        wait_idle(fresh)
        again = fresh.get_by_text("Held-out reconstruction error").locator("xpath=../../..").inner_text()
        assert again.split()[-1] == error.split()[-1]  # identical model, identical held-out error
        assert fresh.locator("[data-testid='stException']").count() == 0


def test_a_failing_umap_shows_its_cause_and_retry_and_the_rest_works(tmp_path):
    """UMAP made to fail in every process (the projection worker included): the autoencoder and PCA
    panels appear, the UMAP panel names the cause and offers Retry, nothing retries by itself, and
    the server logs one traceback per attempt."""
    cause = "umap was made to fail on purpose (AEVIZ_FAIL=umap)"
    with streamlit_server(env={"AEVIZ_FAIL": "umap", "AEVIZ_CACHE": str(tmp_path)}) as url, browser_page() as page:
        page.goto(url + "/?data=digits&epochs=3")
        page.get_by_text(cause).wait_for(timeout=120_000)
        page.wait_for_function("() => document.querySelectorAll('.aeviz-panel').length === 2", timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(3000)  # a few polls and reruns' worth: nothing may run it again
        assert page.get_by_text("UMAP failed.").count() == 1 and page.get_by_text(cause).count() == 1
        assert url.log().count("task umap failed") == 1, url.log()
        page.screenshot(path=str(_shots(tmp_path) / "umap-failed.png"), full_page=True)
        page.get_by_role("button", name="Retry").click()  # the only way it runs again
        page.wait_for_function("() => document.body.innerText.includes('UMAP failed.')", timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(1500)
        assert url.log().count("task umap failed") == 2
        assert page.locator("[data-testid='stException']").count() == 0
        page.get_by_text("Digit thumbnails").click()  # the rest of the page keeps working
        page.wait_for_function("() => document.querySelectorAll('.aeviz-panel .layer-above image').length === 2",
                               timeout=30_000)


def test_a_costly_link_holds_nobody_back(tmp_path):
    """Session A opens a link to a training of tens of minutes: it fills A's sidebar and waits for
    Train (refused over the budget). Session B, opened right after, gets its default training and
    three plots in normal time."""
    import time

    long_link = "/?hidden=2048,2048,2048&k=64&epochs=100&lr=0.0001&bs=16"
    with streamlit_server(env={"AEVIZ_CACHE": str(tmp_path)}) as url, browser_page() as a:
        a.goto(url + long_link)
        a.get_by_text("This link asks for a training of about").wait_for(timeout=60_000)
        b = a.context.browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
        t0 = time.perf_counter()
        b.goto(url + "/")
        a.locator(".st-key-train_button button").click()  # A insists: refused, nothing queued
        a.get_by_text("over its limit").first.wait_for(timeout=30_000)
        b.wait_for_function("() => document.querySelectorAll('.aeviz-panel').length === 3", timeout=60_000)
        seconds = time.perf_counter() - t0
        print(f"session B's three plots {seconds:.1f} s after opening")
        assert seconds <= 30
        a.screenshot(path=str(_shots(tmp_path) / "costly-link.png"))


# The decoded digit under a panel's pointer: frames the page has drawn, and the pixels now shown.
SHOWN_DIGIT = """(i) => { const gd = document.querySelectorAll('.aeviz-panel')[i];
  const c = gd.parentElement.querySelector('.aeviz-inverse canvas');
  return c ? [gd.__aeviz.frames || 0, c.toDataURL()] : null; }"""


def _sweep(page, panel: int, sent: list, row: float = 0.5) -> tuple[int, int]:
    """Move the pointer across panel's plot area in 20 steps: (how often the shown digit changed,
    how many websocket messages the page sent meanwhile)."""
    box = page.locator(".aeviz-panel").nth(panel).locator(".nsewdrag").first.bounding_box()
    before, shown = len(sent), []
    for s in range(20):
        page.mouse.move(box["x"] + box["width"] * (0.05 + 0.045 * s), box["y"] + box["height"] * (row + 0.01 * s))
        page.wait_for_timeout(60)
        shown.append(page.evaluate(SHOWN_DIGIT, panel)[1])
    return sum(a != b for a, b in zip(shown, shown[1:])), len(sent) - before


def test_the_pointer_decodes_in_the_page_and_a_click_pins(tmp_path):
    with streamlit_server() as url, browser_page(1500, 1100) as page:
        sent = []  # every websocket message the page sends: moving the pointer must send none
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        page.goto(url + "/?data=digits&epochs=5")
        page.locator(".st-key-train_button button").click()
        # the AE and PCA panels decode; UMAP's too is drawn (no background poll left to send anything)
        page.wait_for_function("() => document.querySelectorAll('.aeviz-inverse canvas').length === 2 && "
                               "document.querySelectorAll('.aeviz-panel').length === 3", timeout=120_000)
        wait_idle(page)
        for panel in (0, 1):  # the autoencoder's decoder, PCA's inverse
            changes, messages = _sweep(page, panel, sent)
            assert changes >= 15 and messages == 0, (panel, changes, messages)
        box = page.locator(".aeviz-panel").first.locator(".nsewdrag").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # pins, one message
        page.get_by_text("Each map's way back to pixels").first.wait_for(timeout=30_000)
        assert len(sent) >= 1
        wait_idle(page)
        page.get_by_role("link", name="Decoder").click()
        page.wait_for_function("() => document.querySelectorAll('.aeviz-inverse canvas').length === 1", timeout=60_000)
        wait_idle(page)
        changes, messages = _sweep(page, 0, sent, row=0.3)
        assert changes >= 15 and messages == 0, (changes, messages)
        plane = page.locator(".aeviz-panel").first
        plane.focus()  # the keyboard moves the decoded point, and Enter pins it
        frames = page.evaluate(SHOWN_DIGIT, 0)[0]
        for key in ("ArrowRight", "ArrowRight", "ArrowUp"):
            page.keyboard.press(key)
        assert page.evaluate(SHOWN_DIGIT, 0)[0] == frames + 3
        point_title = ("() => [...document.querySelectorAll('text.gtitle')].map(e => e.textContent)"
                       ".find(s => s.startsWith('decode('))")
        before = page.evaluate(point_title)
        page.keyboard.press("Enter")  # the server draws the pinned digit: its title names the new point
        page.wait_for_function(f"() => {{ const now = ({point_title})(); return now && now !== {before!r}; }}",
                               timeout=30_000)
