"""Turn a user's uploaded file into a Dataset, safely: every refusal is an UploadError that says
what is wrong and what is accepted.

Accepted files (the content must match the name's extension; see ACCEPTED):

- ``.npy``: one array of images, (N, H, W) or (N, D) with D = H*W a perfect square (H = W).
- ``.npz``: images under key ``"x"`` (or ``"images"``), optional labels under ``"y"`` (or ``"labels"``).
- ``.csv``: one image per row; an optional header row; a column named ``label`` (or ``y``) in the
  header holds the labels, every other column is a pixel (their count a perfect square).
- ``.zip``: PNG or JPEG images in one folder per class, ``class_name/image.png``; the class of an
  image is the folder it sits in. Hidden files, ``__MACOSX/``, ``Thumbs.db`` and ``desktop.ini``
  are ignored. Images must share one size and are converted to greyscale.

Labels are non-negative whole numbers or strings; they become 0..K-1 in sorted order and their
values (as text) become the class names. Without labels every image gets class "all".
Pixel values are scaled to [0, 1] as SCALING_NOTE says. Arrays are always read with
``allow_pickle=False``, .npy headers are checked before any data is allocated, and the declared
sizes of zip (and .npz) members are checked before anything is decompressed.
"""
from __future__ import annotations

import hashlib
import os
from collections import OrderedDict

from ..data import Dataset
from ..i18n import Msg
from . import arrays, rules, zipped
from .rules import ACCEPTED, SCALING_NOTE, UploadError, scale_to_unit

__all__ = ["ACCEPTED", "SCALING_NOTE", "UploadError", "held", "hold", "load_upload", "scale_to_unit"]

# Uploaded data sets by their content-derived names, held in this server's memory only, and only the
# most recent few (a session whose upload was dropped uploads it again).
MAX_HELD = 8
_held: OrderedDict[str, Dataset] = OrderedDict()


def hold(ds: Dataset) -> str:
    """Keep an uploaded Dataset under its name (the oldest held one is dropped); returns the name."""
    _held[ds.name] = ds
    _held.move_to_end(ds.name)
    while len(_held) > MAX_HELD:
        _held.popitem(last=False)
    return ds.name


def held(name: str) -> Dataset | None:
    """The uploaded Dataset held under `name`, or None (never uploaded here, or dropped)."""
    return _held.get(name)

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
PARSERS = {  # extension -> (what it should be, content check, parser returning (images, labels))
    ".npy": (Msg("upload.kind.npy"), lambda d: d.startswith(arrays.NPY_MAGIC), arrays.read_npy),
    ".npz": (Msg("upload.kind.npz"), lambda d: d.startswith(ZIP_MAGICS), arrays.read_npz),
    ".zip": (Msg("upload.kind.zip"), lambda d: d.startswith(ZIP_MAGICS), zipped.read_zip),
    ".csv": (Msg("upload.kind.csv"), arrays.is_text, arrays.read_csv),
}


def load_upload(data: bytes, filename: str, *, seed: int = 0) -> Dataset:
    """The Dataset in an uploaded file: x (N, H*W) float32 in [0, 1], read-only, split 80/20
    stratified by class with `seed`, named 'upload:' + the first 12 hex digits of its SHA-256.

    The format is chosen by the extension of `filename` and must match the content.
    Raises UploadError naming the problem and what is accepted.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UploadError(Msg("upload.not_bytes", kind=type(data).__name__, accepted=ACCEPTED))
    data = bytes(data)
    if not data:
        raise UploadError(Msg("upload.empty", filename=filename, accepted=ACCEPTED))
    if len(data) > rules.MAX_BYTES:
        raise UploadError(Msg("upload.too_large", size=len(data), mb=len(data) / rules.MB, max=rules.MAX_BYTES,
                              max_mb=rules.MAX_BYTES / rules.MB))
    ext = os.path.splitext(os.path.basename(str(filename)))[1].lower()
    if ext not in PARSERS:
        raise UploadError(Msg("upload.unknown_type", ext=ext or Msg("upload.no_extension"), filename=filename,
                              accepted=ACCEPTED))
    kind, looks_right, parse = PARSERS[ext]
    if not looks_right(data):
        raise UploadError(Msg("upload.mismatch", filename=filename, kind=kind, guess=arrays.guess(data)))
    images, labels = parse(data)
    return rules.to_dataset(images, labels, f"upload:{hashlib.sha256(data).hexdigest()[:12]}", int(seed))
