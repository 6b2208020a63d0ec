"""The layer view ("Inside the net", layer_view.js) in headless Chromium: every stage of the default net
for one digit, named as torch's modules (webnet.stage_outputs), following a dragged code on the
decoder's side and the pad's strokes on the encoder's, with no message to the server meanwhile.
The stages' numbers are held to torch's in tests/test_webnet.py."""
import pytest
from browser import browser_page, find_chromium, streamlit_server, wait_idle

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")

ROWS = """() => [...document.querySelectorAll('.aeviz-layer')].map(r => [r.closest('.aeviz-layers-encoder')
  ? 'encoder' : 'decoder', r.querySelector('figcaption').textContent, r.querySelector('canvas').toDataURL()])"""


def test_the_layer_view_shows_every_stage_and_follows_a_dragged_code_and_the_pad(tmp_path):
    from aeviz.config import ModelConfig
    from aeviz.nets import models, webnet

    net = models.build(ModelConfig(), (28, 28)).eval()
    enc, dec = [], []
    webnet.encoder_layers(net, enc)
    webnet.decoder_layers(net, dec)
    with streamlit_server(env={"AEVIZ_CACHE": str(tmp_path)}) as url, browser_page(1500, 1300) as page:
        sent = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        page.goto(url + "/inside?epochs=10")
        page.wait_for_function("() => document.querySelectorAll('.aeviz-layer canvas').length >= 8", timeout=180_000)
        wait_idle(page)
        rows = page.evaluate(ROWS)
        names = [(side, caption.split(" — ")[0]) for side, caption, _ in rows]
        # the input digit, then every encoder stage; every decoder stage (the last one drawn as the digit it is)
        assert names == ([("encoder", "Input digit")] + [("encoder", n) for _, n in enc]
                         + [("decoder", n) for _, n in dec]), names
        assert "512 units" in rows[1][1] and rows[-1][1].endswith("28×28 pixels")
        frames = int(page.locator(".aeviz-layers").get_attribute("data-frames"))
        before = len(sent)
        plane = page.locator(".aeviz-layers-plane").bounding_box()
        page.mouse.move(plane["x"] + 0.2 * plane["width"], plane["y"] + 0.2 * plane["height"])
        page.mouse.down()
        seen = set()
        for s in range(1, 11):
            page.mouse.move(plane["x"] + (0.2 + 0.06 * s) * plane["width"],
                            plane["y"] + (0.2 + 0.05 * s) * plane["height"])
            page.wait_for_timeout(40)
            seen.add(page.evaluate(ROWS)[-1][2])  # the output digit
        page.mouse.up()
        after = page.evaluate(ROWS)
        assert len(seen) >= 8  # the decoder side followed the dragged code
        assert [r[2] for r in after if r[0] == "encoder"] == [r[2] for r in rows if r[0] == "encoder"]
        assert int(page.locator(".aeviz-layers").get_attribute("data-frames")) >= frames + 8
        assert len(sent) == before  # all of it in the page
        box = page.locator(".aeviz-pad-ink").bounding_box()  # a stroke on the pad feeds the encoder side
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20, steps=8)
        drawn = page.evaluate(ROWS)
        assert drawn[0][2] != rows[0][2] and drawn[1][2] != rows[1][2]
        assert len(sent) == before
        page.mouse.up()
