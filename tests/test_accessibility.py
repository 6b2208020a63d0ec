"""Accessibility in a real browser: axe-core (pinned in tests/a11y/package.json) finds no critical
or serious violation on any page, in either language, and the app can be driven by keyboard alone:
change a setting, train, switch pages, with a visible focus indicator at every stop."""
import pytest
from browser import (
    axe_violations,
    browser_page,
    find_axe,
    find_chromium,
    format_violations,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="no Chromium found: accessibility browser tests skipped")
needs_axe = pytest.mark.skipif(find_axe() is None,
                               reason="axe-core not installed (cd tests/a11y && npm ci): axe checks skipped")

QUERY = "data=digits&epochs=3"  # small and fast
# Each page's URL path and how many plotly charts it shows once its model has trained.
PAGES = {"latent": ("", 3), "denoising": ("denoising", 2), "decoder": ("decoder", 2), "replay": ("replay", 1),
         "inside": ("inside", 1), "lessons": ("lessons", 0), "board": ("board", 1)}


@pytest.fixture(scope="module")
def app():
    """One server and one browser for the whole module; each test opens pages of its own."""
    with streamlit_server() as url, browser_page() as page:
        yield url, page.context.browser


def _new_page(browser):
    return browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()


def _open(page, url: str, path: str, plots: int, query: str = QUERY) -> None:
    """Open a page and wait until it has trained, drawn its charts and gone idle. Generous limits:
    the first page a fresh server shows imports torch and scikit-learn and measures the machine
    (over a minute and a half on 2 busy cores)."""
    page.goto(f"{url}/{path}?{query}")
    page.locator("[data-testid='stSidebar']").wait_for(timeout=60_000)
    if plots:
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {plots}",
                               timeout=240_000)
    wait_idle(page, timeout=240_000)
    page.wait_for_timeout(1000)  # let plotly finish drawing its SVG text (axe checks it too)


@needs_axe
@pytest.mark.parametrize("lang", ["en", "pt"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(app, name, lang):
    url, browser = app
    path, plots = PAGES[name]
    if name == "board":
        _an_entry_on_the_board()
    page = _new_page(browser)
    try:
        _open(page, url, path, plots, f"{QUERY}&lang={lang}")
        assert page.locator("[data-testid='stException']").count() == 0
        # The page speaks the language asked for (the app sets <html lang>), so both are checked.
        page.wait_for_function(f"() => document.documentElement.lang.startsWith({lang!r})", timeout=10_000)
        violations = axe_violations(page)
        assert not violations, f"axe-core on /{path}?lang={lang}:\n{format_violations(violations)}"
    finally:
        page.context.close()


def _an_entry_on_the_board() -> None:
    """The Latent page's model (trained by its test, in the store the server shares with the tests)
    on the board, with a task, so that its table, thumbnail and scatter are checked too."""
    import numpy as np

    from aeviz import figures
    from aeviz.config import ExperimentConfig
    from aeviz.jobs import board

    cfg = ExperimentConfig.of("digits", "undercomplete", 2, (512, 256, 128), 3, 128, 2e-2, 0)
    scores = {"knn_accuracy": 0.7, "trustworthiness": 0.9, "mse": 0.04}
    rng = np.random.default_rng(0)
    board.share("Ana", cfg, scores, 2.0, figures.map_thumbnail(rng.normal(size=(300, 2)), rng.integers(0, 10, 300)),
                "axe")


# The focused element's look, and that of its three nearest ancestors (Streamlit draws some focus
# rings on a wrapper: a selectbox's border, a slider thumb's shadow), in the styles a focus
# indicator changes.
_LOOK = """(e) => { const out = []; for (let i = 0; i < 4 && e; i++, e = e.parentElement) {
  const s = getComputedStyle(e), px = v => parseFloat(v) > 0;
  const outline = s.outlineStyle !== 'none' && px(s.outlineWidth);
  out.push([outline ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '',
    s.boxShadow, px(s.borderTopWidth) ? s.borderTopColor : '', px(s.borderBottomWidth) ? s.borderBottomColor : '',
    s.backgroundColor, s.textDecorationLine].join('|')); }
  return out.join(' / '); }"""
_ACTIVE = """() => { const a = document.activeElement; if (!a || a === document.body) return null;
  window.__aevizFocus = a; const r = a.getBoundingClientRect(), k = a.closest('[class*="st-key-"]');
  return {tag: a.tagName, type: a.type || '', href: a.getAttribute('href') || '',
          key: k ? [...k.classList].find(c => c.startsWith('st-key-')) : '',
          text: (a.getAttribute('aria-label') || a.innerText || '').trim().slice(0, 40), value: a.value || '',
          shown: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                 && r.top < innerHeight && r.left < innerWidth}; }"""


def _press(page, key: str) -> None:
    """Press `key` and wait until the focus has moved and the page has drawn it (two frames): on a
    busy page a fixed wait read the look of an element the focus had not left yet."""
    page.evaluate("() => { window.__aevizBefore = document.activeElement; }")
    page.keyboard.press(key)
    page.wait_for_function("() => document.activeElement !== window.__aevizBefore", timeout=10_000, polling=10)
    page.evaluate(_SETTLED)


# Until the focus change's CSS transitions (on the controls that lost and took the focus) have
# ended, at most 2 s: a look read mid-transition can match the other one.
_SETTLED = """() => { const boxes = [window.__aevizBefore, document.activeElement].filter(e => e && e.isConnected)
    .map(e => e.closest('[class*="st-key-"]') || e);
  const running = boxes.flatMap(b => b.getAnimations({subtree: true}))
    .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity);
  const frames = new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return Promise.race([Promise.all([frames, ...running.map(a => a.finished.catch(() => null))]),
                       new Promise(r => setTimeout(r, 2000))]); }"""


def _step(page, key: str = "Tab") -> dict:
    """Press `key` (Tab or Shift+Tab) and return what took focus, after checking that it is on
    screen and looks different focused than not: its look is read, focus moves away and back by
    keyboard, and its look is read again."""
    _press(page, key)
    now = page.evaluate(_ACTIVE)
    assert now is not None, f"{key} left the focus nowhere"
    assert now["shown"], f"the focused element is not on screen: {now}"
    focused = page.evaluate(f"() => ({_LOOK})(window.__aevizFocus)")
    back = "Tab" if key == "Shift+Tab" else "Shift+Tab"
    _press(page, back)
    blurred = page.evaluate(f"() => window.__aevizFocus.isConnected ? ({_LOOK})(window.__aevizFocus) : null")
    _press(page, key)
    assert page.evaluate("() => document.activeElement === window.__aevizFocus"), f"focus did not come back to {now}"
    assert blurred is None or blurred != focused, f"no visible focus indicator on {now}"
    return now


def _tab_to(page, want, key: str = "Tab", most: int = 40) -> dict:
    """Tab (or Shift+Tab) until the focused element satisfies `want`; every stop on the way must
    show its focus."""
    seen = []
    for _ in range(most):
        now = _step(page, key)
        if want(now):
            return now
        seen.append(f"{now['tag']} {now['key']} {now['text']!r}")
    raise AssertionError(f"{key} x{most} never reached the control; it went through:\n" + "\n".join(seen))


def test_keyboard_only_trains_and_switches_pages(app):
    """No mouse: Tab to the bottleneck slider, widen it with an arrow key, Tab to Train, press
    Enter, wait for the 3-D model's panels, Shift+Tab back to the navigation and open Denoising."""
    url, browser = app
    page = _new_page(browser)
    try:
        _open(page, url, "", 3)
        slider = _tab_to(page, lambda a: a["key"] == "st-key-w_k" and a["type"] == "range")
        assert slider["value"] == "2"
        page.keyboard.press("ArrowRight")
        wait_idle(page)
        assert page.locator(".st-key-w_k input[type='range']").input_value() == "3"
        _tab_to(page, lambda a: a["key"] == "st-key-train_button" and a["tag"] == "BUTTON")
        page.keyboard.press("Enter")
        page.get_by_text("3-D code").first.wait_for(timeout=90_000)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000)
        wait_idle(page)
        assert "k=3" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        # Back up through the sidebar to the navigation; the focus must still be on Train.
        assert page.evaluate("() => !!document.activeElement.closest('.st-key-train_button')"), \
            "training moved the keyboard focus away from Train"
        _tab_to(page, lambda a: a["tag"] == "A" and a["href"].rstrip("/").endswith("/denoising"), key="Shift+Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/denoising**", timeout=30_000)
        page.get_by_text("About this view").first.wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000)
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "k=3" in page.url  # the keyboard-trained model follows to the new page
        # Space works on buttons too: the Denoising page's first expander opens from the keyboard.
        summary = _tab_to(page, lambda a: a["tag"] == "SUMMARY")
        page.keyboard.press("Space")
        page.wait_for_function("() => document.activeElement.closest('details').open", timeout=10_000)
        assert summary["text"]
    finally:
        page.context.close()
