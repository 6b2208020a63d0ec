"""The app in Portuguese, in a real browser: under ?lang=pt no page shows an English interface text,
the document says it is Portuguese, and the choice stays in the link."""
import re

import pytest
from browser import browser_page, find_chromium, streamlit_server, wait_idle

from aeviz import i18n

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: language browser tests skipped")

PAGES = ["", "denoising", "decoder", "replay", "inside", "lessons", "board"]
# Interface texts: labels, buttons, headings, captions, messages, tabs, plot titles, axes and legends.
TEXTS = """() => [...document.querySelectorAll(
  'label, button, h1, h2, h3, summary, [role=tab], [data-testid=stMetricLabel], [data-testid=stCaptionContainer],'
  + '[data-testid=stMarkdownContainer] p, [data-testid=stMarkdownContainer] li, [data-testid=stAlertContainer],'
  + '[data-testid=stSidebarNav] a, .gtitle, .xtitle, .ytitle, .legendtext, .annotation-text, .slider-label')]
  .filter(e => e.getClientRects().length).map(e => e.textContent.trim()).filter(Boolean)"""
# Streamlit's own words that would show through (it has no Portuguese of its own).
STREAMLIT_ENGLISH = ["Drag and drop", "Browse files", "Choose an option", "No results", "Running..."]


def _english_only() -> tuple[set[str], list[str]]:
    """English catalogue texts that Portuguese words differently: short ones (matched as a whole
    text) and the longer literal stretches between placeholders (matched inside any text)."""
    en, pt = i18n.catalogue("en"), i18n.catalogue("pt")
    whole, inside = set(), []
    for key, text in en.items():
        if pt[key] == text:
            continue
        for chunk in re.split(r"\{[^}]*\}", text):
            plain = re.sub(r"\*\*|`|:material/\w+:", "", chunk).strip(" .,:;()—-·\n")
            if plain in pt[key]:  # a name or a formula both languages write alike ("PCA-")
                continue
            if len(plain) >= 16:
                inside.append(plain)
            elif len(plain) >= 3 and any(c.isalpha() for c in plain):
                whole.add(plain)
    return whole, inside


def _english_on(page) -> list[str]:
    whole, inside = _english_only()
    found = []
    for text in page.evaluate(TEXTS):
        if text.strip(" .:") in whole or any(s in text for s in inside + STREAMLIT_ENGLISH):
            found.append(text[:120])
    return found


def test_portuguese_pages_show_no_english_interface_text():
    with streamlit_server() as url, browser_page() as page:
        for path in PAGES:
            page.goto(f"{url}/{path}?data=digits&epochs=3&lang=pt")
            landmark = i18n.t("lessons_page.header" if path == "lessons" else "common.about", "pt")
            page.get_by_text(landmark).first.wait_for(timeout=120_000)
            if path in ("", "denoising", "decoder", "replay", "inside"):
                want = 1 if path in ("replay", "inside") else 2  # the replay is one plot; inside, its figure
                page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {want}",
                                       timeout=120_000)
            if path == "":  # the UMAP panel too, whose title is the same word in both languages
                page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3",
                                       timeout=120_000)
            wait_idle(page)
            assert page.evaluate("() => document.documentElement.lang") == "pt-BR", path
            assert "lang=pt" in page.url, page.url  # kept in the link a learner shares
            found = _english_on(page)
            assert not found, f"/{path}?lang=pt shows English: {found}"


def test_the_check_sees_english_when_the_page_is_english():
    """The check above can fail: on the English page it finds the English words."""
    with streamlit_server() as url, browser_page() as page:
        page.goto(f"{url}/lessons?data=digits&lang=en")
        page.get_by_text(i18n.t("lessons_page.header", "en")).first.wait_for(timeout=120_000)
        wait_idle(page)
        found = _english_on(page)
        assert i18n.t("lessons_page.header", "en") in found or len(found) >= 5, found
