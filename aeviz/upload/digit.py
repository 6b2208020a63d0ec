"""One digit of the user's own, drawn on the pad or uploaded as an image, made to look like the data
set's digits before a net reads it: MNIST's recipe (LeCun et al.): the ink's bounding box scaled to
fit a box (20x20 in a 28x28 frame; the 8x8 digits fill their frame, as UCI's 32x32 bitmaps did),
then placed so that its centre of mass is the frame's centre.

The page runs the same arithmetic on every stroke (`aevizDigit`, in the pad's script);
tests/test_pad.py holds the two to each other. Written by hand, not with scikit-image's resize:
the page must compute the same numbers in JavaScript, so both sides use one exact area average.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

from ..i18n import Msg
from .rules import MB, UploadError

MAX_BYTES = 5 * MB  # one image
MAX_SIDE = 4096  # pixels a side, checked before the image is decoded
INK = 0.1  # a pixel with more ink than this is part of the digit's bounding box
MNIST_BOX = 20 / 28
BOXES = {"digits": 1.0}  # the share of the frame a digit's longer side fills, by data set; else MNIST's


def box(dataset_name: str) -> float:
    return BOXES.get(dataset_name, MNIST_BOX)


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): row i averages the inputs that output pixel i covers, [i, i+1) * n_in / n_out,
    each input pixel weighted by the length of its overlap."""
    edges = np.arange(n_out + 1) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    k = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, k + 1) - np.maximum(lo, k), 0, None)
    return overlap / (n_in / n_out)


def _round(v: float) -> int:
    return int(np.floor(v + 0.5))  # as JavaScript's Math.round, for the page's twin


def preprocess(ink: np.ndarray, shape: tuple[int, int], fill: float = MNIST_BOX) -> np.ndarray:
    """ink (H, W) in [0, 1] -> the digit as a data set of `shape` (h, w) holds it, flat (h*w,) in
    [0, 1]: the bounding box of the pixels over INK, scaled (area average) so that its longer side
    is fill * min(h, w), centred by its centre of mass. No ink: all zeros."""
    ink = np.clip(np.asarray(ink, np.float64), 0, 1)
    h, w = shape
    rows, cols = np.nonzero(ink > INK)
    out = np.zeros((h, w))
    if not len(rows):
        return out.ravel()
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    bh, bw = crop.shape
    scale = fill * min(h, w) / max(bh, bw)
    nh, nw = max(1, min(h, _round(bh * scale))), max(1, min(w, _round(bw * scale)))
    small = area_weights(bh, nh) @ crop @ area_weights(bw, nw).T  # (nh, nw)
    mass = small.sum()
    cy = (small.sum(1) @ (np.arange(nh) + 0.5)) / mass
    cx = (small.sum(0) @ (np.arange(nw) + 0.5)) / mass
    oy, ox = _round(h / 2 - cy), _round(w / 2 - cx)
    for r in range(nh):  # pasted at (oy, ox), clipped to the frame
        y = r + oy
        if 0 <= y < h:
            for c in range(nw):
                if 0 <= c + ox < w:
                    out[y, c + ox] = small[r, c]
    return np.clip(out, 0, 1).ravel()


def read_image(data: bytes) -> np.ndarray:
    """A PNG or JPEG of one digit -> its ink (H, W) in [0, 1]: dark ink on light paper (a photo, a
    scan) or light ink on dark (MNIST's way), told apart by the image's border, whose level is
    taken as the paper's, and its darkest ink as full ink (a photo's pencil is grey). Raises
    UploadError saying what is wrong and what is accepted."""
    if len(data) > MAX_BYTES:
        raise UploadError(Msg("pad.image_too_large", mb=len(data) / MB, max_mb=MAX_BYTES // MB))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as im:
                if im.width > MAX_SIDE or im.height > MAX_SIDE:
                    raise UploadError(Msg("pad.image_too_big", w=im.width, h=im.height, max=MAX_SIDE))
                grey = np.asarray(im.convert("L"), np.float64) / 255.0
    except UploadError:
        raise
    except Exception as exc:  # Pillow raises many kinds on corrupt or foreign input
        raise UploadError(Msg("pad.image_unreadable", err=str(exc))) from exc
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    ink = 1 - grey if paper > 0.5 else grey
    paper = 1 - paper if paper > 0.5 else paper
    if ink.max() - paper <= INK:
        raise UploadError(Msg("pad.image_blank"))
    return np.clip((ink - paper) / (ink.max() - paper), 0, 1)
