"""The one look of every figure: palettes, font, margins, the class colours and the finishing touches.

One look everywhere: template "plotly_white", the Inter font, compact margins, short titles, numbers
written the viewer's language's way (`layout.separators`). Digit class c has the colour
`class_color(c)` and the marker `class_symbol(c)` in every figure, so that no class depends on
colour alone. Every figure carries `layout.meta = {"aeviz_figure": name}` so that exports can name
their files.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from PIL import Image

from .. import i18n

# Colour of digit class c is PALETTE[c % 10]: Paul Tol's colour-blind-safe qualitative schemes
# (personal.sron.nl/~pault: "muted" + "vibrant"), picked to stay apart under simulated deuteranopia,
# protanopia and tritanopia while each reaches 3:1 against white (tests/test_figures.py measures both).
# Muted's light sand and cyan cannot reach 3:1 without turning into its olive and blue, so they gave
# way to vibrant's blue and red and to black (Okabe-Ito's first colour); muted's teal #44AA99 is
# darkened a shade to #42A494 (2.8:1 -> 3:1). Plotly's T10 (tableau10), used before, put its red and
# green 1.4 CAM02-UCS units apart under simulated deuteranopia (this palette: 9.3 at the closest).
PALETTE: list[str] = ["#0077BB", "#CC3311", "#117733", "#AA4499", "#999933",
                      "#332288", "#42A494", "#CC6677", "#000000", "#882255"]
# Marker of digit class c is SYMBOLS[c % 10]: the pairs of colours closest under the simulations
# (1-2, 0-3, 0-2, 0-6, 3-7, 1-4, 6-7) have the most different shapes. GLYPHS are the same shapes as
# text, for a colour key drawn outside plotly.
SYMBOLS: list[str] = ["circle", "square", "triangle-up", "cross", "star",
                      "diamond", "x", "triangle-down", "hourglass", "triangle-left"]
GLYPHS: list[str] = ["●", "■", "▲", "✚", "★", "◆", "✖", "▼", "⧗", "◀"]
# plotly's 3-D scatter (WebGL) draws its markers as text characters, and its "x" is the emoji ❌ (red
# in colour-emoji fonts, missing in others): 7 shapes remain. SYMBOLS_3D keeps the close colour pairs
# above apart and lets 5 & 7, 3 & 8 and 4 & 9 share shapes, each pair far apart in colour.
SYMBOLS_3D: list[str] = ["circle", "square", "diamond-open", "cross", "circle-open",
                         "diamond", "square-open", "diamond", "cross", "circle-open"]
GLYPHS_3D: list[str] = ["●", "■", "◇", "+", "○", "◆", "□", "◆", "+", "○"]
SYMBOLS_3D_UNIQUE = sorted(set(SYMBOLS_3D))
MARKER_SIZE = 6  # px; 5 (the size before shapes) blurred the cross, the x and the star into dots
SERIES_PALETTE: list[str] = list(px.colors.qualitative.Dark2)  # lines and bars that are not classes
FONT = "Inter, system-ui, sans-serif"
INK = "gray_r"  # black ink (1) on white paper (0)
# Colour of the 1 px gaps between digits in a mosaic: painted into image_grid's PNG; a heatmap's
# NaN cells show it as the plot background.
GAP = "#d4d4d4"
MARGIN = dict(l=50, r=20, t=50, b=40)
# Plotly's number separators, decimal point first: 1,234.5 in English, 1.234,5 in Portuguese.
SEPARATORS = {"en": ".,", "pt": ",."}


def class_color(c: int) -> str:
    """The palette colour of digit class c (the same in every figure): for marks, 3:1 on white."""
    return PALETTE[int(c) % len(PALETTE)]


def class_symbol(c: int) -> str:
    """The plotly marker symbol of digit class c (the same in every figure)."""
    return SYMBOLS[int(c) % len(SYMBOLS)]


def class_glyph(c: int) -> str:
    """class_symbol(c) as a text character, for a colour key written in HTML or Markdown."""
    return GLYPHS[int(c) % len(GLYPHS)]


def class_symbol_3d(c: int) -> str:
    """The plotly scatter3d marker symbol of digit class c."""
    return SYMBOLS_3D[int(c) % len(SYMBOLS_3D)]


def class_glyph_3d(c: int) -> str:
    return GLYPHS_3D[int(c) % len(GLYPHS_3D)]


def shared_shapes_3d(n_classes: int) -> list[tuple[int, int]]:
    """The pairs of the first n_classes classes that share a 3-D shape (told apart by colour)."""
    return [(a, b) for b in range(n_classes) for a in range(b)
            if class_symbol_3d(a) == class_symbol_3d(b) and class_color(a) != class_color(b)]


def class_text_color(c: int) -> str:
    """The colour for text written in digit class c's colour: class_color(c), darkened where it
    is too light for text, to WCAG AA's 4.5:1 against white."""
    return TEXT_PALETTE[int(c) % len(TEXT_PALETTE)]


# WCAG 2's relative luminance and contrast ratio (www.w3.org/TR/WCAG21/#dfn-relative-luminance),
# written here: neither plotly nor anything else aeviz installs computes them.
def _linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB components in [0, 1] -> linear light."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def luminance(color: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour: 0 black, 1 white."""
    rgb = np.asarray(px.colors.hex_to_rgb(color), dtype=float) / 255
    return float(_linear(rgb) @ [0.2126, 0.7152, 0.0722])


def contrast(color: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    hi, lo = sorted((luminance(color), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def darkened(color: str, ratio: float) -> str:
    """color, or the lightest shade of its hue (in 2% steps of linear light, so the hue stays) that
    reaches `ratio` against white."""
    rgb = _linear(np.asarray(px.colors.hex_to_rgb(color), dtype=float) / 255)
    scale = 1.0
    out = color
    while contrast(out) < ratio:
        scale *= 0.98
        lin = rgb * scale
        srgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
        out = "#" + "".join(f"{int(round(v * 255)):02X}" for v in srgb)
    return out


TEXT_PALETTE: list[str] = [darkened(c, 4.5) for c in PALETTE]


def _finish(fig: go.Figure, name: str, title: str, height: int, subtitle: str = "") -> go.Figure:
    """Apply the shared look, a short title (and subtitle) and the export name to fig."""
    t = dict(text=title, x=0.02, xanchor="left", font=dict(size=15))
    if subtitle:
        t["subtitle"] = dict(text=subtitle, font=dict(size=11, color="#555"))
    top = (72 if subtitle else 46) if title else 16
    fig.update_layout(template="plotly_white", font=dict(family=FONT, size=12), title=t, height=height,
                      margin={**MARGIN, "t": top}, meta={"aeviz_figure": name},
                      separators=SEPARATORS.get(i18n.current(), SEPARATORS["en"]))
    return fig


def _shape(images: np.ndarray, image_shape: Sequence[int]) -> tuple[np.ndarray, int, int]:
    """images (N, D) as (N, h, w) floats, with h, w; ValueError if D != h * w."""
    h, w = int(image_shape[0]), int(image_shape[1])
    x = np.asarray(images, dtype=np.float64)
    x = x.reshape(1, -1) if x.ndim == 1 else x.reshape(len(x), -1)
    if x.shape[1] != h * w:
        raise ValueError(f"images have {x.shape[1]} values each, "
                         f"image_shape {tuple(image_shape)} needs {h * w}")
    return x.reshape(len(x), h, w), h, w


def png_uri(pil: Image.Image) -> str:
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
