"""Reading numeric uploads: .npy and .npz arrays (headers checked before any allocation, never
unpickled) and CSV text (one image per row, optional header and label column), plus telling what a
file really is from its first bytes.
"""
from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile

import numpy as np

from ..i18n import Msg
from . import rules, zipped
from .rules import UploadError

NPY_MAGIC = b"\x93NUMPY"
GUESSES = ((b"\x89PNG", "upload.guess.png"), (b"\xff\xd8\xff", "upload.guess.jpeg"),
           (NPY_MAGIC, "upload.guess.npy"), (b"PK", "upload.guess.zip"), (b"\x1f\x8b", "upload.guess.gzip"),
           (b"\x80", "upload.guess.pickle"), (b"%PDF", "upload.guess.pdf"))  # first bytes -> what they are


def is_text(data: bytes) -> bool:
    """UTF-8 without control characters other than tab, CR and LF."""
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def guess(data: bytes) -> Msg:
    """What the data looks like from its first bytes ('a PNG image'), in the viewer's language."""
    for magic, key in GUESSES:
        if data.startswith(magic):
            return Msg(key)
    return Msg("upload.guess.text" if is_text(data[:4096]) else "upload.guess.binary")


# --- .npy and .npz ------------------------------------------------------------------------------

def _npy_header(prefix: bytes, size: int, what: Msg, kinds: str = "biuf"
                ) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from a .npy header (`prefix`: the file's first bytes, `size`: its full
    length), refusing pickles and headers that declare more data than the file holds."""
    if not prefix.startswith(NPY_MAGIC) or len(prefix) < 10:
        raise UploadError(Msg("upload.npy.no_header", what=what))
    fp = io.BytesIO(prefix)
    version = tuple(prefix[6:8])  # after the magic: major, minor
    if version not in ((1, 0), (2, 0)):
        raise UploadError(Msg("upload.npy.version", what=what, version=".".join(map(str, version))))
    try:
        np.lib.format.read_magic(fp)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fp)
    except Exception as exc:  # numpy's header parser raises ValueError, SyntaxError, TokenError...
        raise UploadError(Msg("upload.npy.bad_header", what=what, err=str(exc))) from exc
    rules.check_dtype(dtype, what, kinds)
    need, have = math.prod(shape) * dtype.itemsize, size - fp.tell()
    if need > have:
        raise UploadError(Msg("upload.npy.truncated", what=what, shape=str(shape), dtype=str(dtype), need=need,
                              have=have))
    return shape, dtype


def _np_load(source, key: str | None, what: Msg) -> np.ndarray:
    """np.load with allow_pickle=False (from bytes, or key of an open NpzFile)."""
    try:
        return source[key] if key is not None else np.load(io.BytesIO(source), allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise UploadError(Msg("upload.npy.pickled", what=what)) from exc
        raise UploadError(Msg("upload.npy.unreadable", what=what, err=str(exc))) from exc
    except zipped.ZIP_ERRORS as exc:
        raise UploadError(Msg("upload.npy.unreadable", what=what, err=str(exc))) from exc


def read_npy(data: bytes):
    shape, _ = _npy_header(data[:65_536], len(data), Msg("upload.what.npy"))
    rules.image_shape(shape)  # before any allocation
    return _np_load(data, None, Msg("upload.what.npy")), None


def _npz_key(names: set[str], keys: tuple[str, str], required: bool) -> str | None:
    found = [k for k in keys if f"{k}.npy" in names]
    if len(found) > 1:
        raise UploadError(Msg("upload.npz.both", a=keys[0], b=keys[1]))
    if not found and required:
        listed = ", ".join(sorted(n.removesuffix(".npy") for n in names)) or Msg("upload.npz.no_keys")
        raise UploadError(Msg("upload.npz.missing", a=keys[0], b=keys[1], keys=listed))
    return found[0] if found else None


def _check_npz_member(zf: zipfile.ZipFile, key: str, images: bool) -> None:
    info = zf.getinfo(f"{key}.npy")
    try:
        with zf.open(info) as f:
            prefix = f.read(min(info.file_size, 65_536))  # bounded by the declared size
    except zipped.ZIP_ERRORS as exc:
        raise UploadError(Msg("upload.npz.corrupt", array=key, err=str(exc))) from exc
    shape, _ = _npy_header(prefix, info.file_size, Msg("upload.what.npz_array", array=key),
                           "biuf" if images else "biufU")
    if images:
        rules.image_shape(shape)
    elif len(shape) != 1 or shape[0] > rules.MAX_SAMPLES:
        raise UploadError(Msg("upload.npz.labels_shape", array=key, shape=str(shape), max=rules.MAX_SAMPLES))


def read_npz(data: bytes):
    zf = zipped.open_zip(data, Msg("upload.what.npz"))
    with zf:
        zipped.check_entries(zf.infolist())
        names = set(zf.namelist())
        x_key = _npz_key(names, ("x", "images"), required=True)
        y_key = _npz_key(names, ("y", "labels"), required=False)
        for key in filter(None, (x_key, y_key)):
            _check_npz_member(zf, key, images=key == x_key)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        # by the exact member name checked above ('x' alone could name another member)
        x = _np_load(npz, f"{x_key}.npy", Msg("upload.what.npz_array", array=x_key))
        y = _np_load(npz, f"{y_key}.npy", Msg("upload.what.npz_array", array=y_key)) if y_key else None
    return x, y


# --- .csv ---------------------------------------------------------------------------------------

def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_lines(data: bytes):
    """The text's lines, refusing any longer than rules.MAX_CSV_LINE before csv splits it into cells."""
    for number, line in enumerate(io.StringIO(data.decode("utf-8-sig"), newline=""), 1):
        if len(line) > rules.MAX_CSV_LINE:
            raise UploadError(Msg("upload.csv.line_too_long", line=number, length=len(line), max=rules.MAX_CSV_LINE,
                                  pixels=rules.MAX_SIDE ** 2))
        yield line


def _csv_rows(data: bytes):
    """(line number, cells) of every non-blank row, with caps on rows and columns."""
    reader = csv.reader(_csv_lines(data))
    try:
        for count, cells in enumerate(filter(None, reader)):  # filter: blank lines give []
            if len(cells) > rules.MAX_SIDE ** 2 + 1:
                raise UploadError(Msg("upload.csv.too_many_columns", line=reader.line_num, n=len(cells),
                                      pixels=rules.MAX_SIDE ** 2))
            if count > rules.MAX_SAMPLES:  # the first row may be a header
                raise UploadError(Msg("upload.csv.too_many_rows", max=rules.MAX_SAMPLES))
            yield reader.line_num, cells
    except csv.Error as exc:
        raise UploadError(Msg("upload.csv.malformed", line=reader.line_num, err=str(exc))) from exc


def _csv_header(first: list[str]) -> tuple[list[str] | None, int | None]:
    """The header (None when the first row is all numbers) and the label column's index."""
    if all(_is_number(c) for c in first):
        return None, None
    names = [c.strip().lower() for c in first]
    for wanted in ("label", "y"):
        if wanted in names:
            return first, names.index(wanted)
    return first, None


def _csv_pixels(line: int, cells: list[str], header) -> np.ndarray:
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        col = next(i for i, c in enumerate(cells) if not _is_number(c))
        name = f" ({header[col]!r})" if header else ""
        raise UploadError(Msg("upload.csv.not_a_number", line=line, col=col + 1, name=name,
                              cell=cells[col][:20])) from None


def read_csv(data: bytes):
    rows = _csv_rows(data)
    first = next(rows, None)
    if first is None:
        raise UploadError(Msg("upload.csv.no_rows"))
    header, label_col = _csv_header(first[1])
    width = len(first[1])
    pixel_names = [c for i, c in enumerate(header) if i != label_col] if header else None
    pixels, labels = [], []  # converted row by row: no cell strings are kept
    for line, cells in rows if header else itertools.chain([first], rows):
        if len(cells) != width:
            raise UploadError(Msg("upload.csv.ragged", line=line, n=len(cells), first=first[0], width=width))
        if label_col is not None:
            labels.append(cells.pop(label_col).strip())
        pixels.append(_csv_pixels(line, cells, pixel_names))
    if not pixels:
        raise UploadError(Msg("upload.csv.header_only"))
    x = np.stack(pixels)  # (N, D)
    d = x.shape[1]
    if label_col is None and not rules.is_square(d) and rules.is_square(d - 1):
        raise UploadError(Msg("upload.csv.unnamed_label", d=d))
    return x, (_csv_labels(labels) if label_col is not None else None)


def _csv_labels(labels: list[str]) -> np.ndarray:
    if "" in labels:
        raise UploadError(Msg("upload.csv.empty_label", row=labels.index("") + 1))
    if all(_is_number(v) for v in labels):
        return np.array(labels, dtype=np.float64)
    return np.array(labels, dtype=str)
