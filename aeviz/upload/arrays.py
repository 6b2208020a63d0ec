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

from . import rules, zipped
from .rules import UploadError

NPY_MAGIC = b"\x93NUMPY"
GUESSES = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (NPY_MAGIC, "a .npy array"),
           (b"PK", "a zip archive"), (b"\x1f\x8b", "a gzip archive"), (b"\x80", "a Python pickle"),
           (b"%PDF", "a PDF"))


def is_text(data: bytes) -> bool:
    """UTF-8 without control characters other than tab, CR and LF."""
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def guess(data: bytes) -> str:
    for magic, what in GUESSES:
        if data.startswith(magic):
            return what
    return "text" if is_text(data[:4096]) else "unknown binary data"


# --- .npy and .npz ------------------------------------------------------------------------------

def _npy_header(prefix: bytes, size: int, what: str, kinds: str = "biuf"
                ) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from a .npy header (`prefix`: the file's first bytes, `size`: its full
    length), refusing pickles and headers that declare more data than the file holds."""
    if not prefix.startswith(NPY_MAGIC) or len(prefix) < 10:
        raise UploadError(f"{what} is not a .npy array (no NUMPY header); accepted: arrays written "
                          "by numpy.save")
    fp = io.BytesIO(prefix)
    version = tuple(prefix[6:8])  # after the magic: major, minor
    if version not in ((1, 0), (2, 0)):
        raise UploadError(f"{what}: .npy format version {'.'.join(map(str, version))} is refused; "
                          "accepted: versions 1.0 and 2.0 (what numpy.save writes)")
    try:
        np.lib.format.read_magic(fp)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fp)
    except Exception as exc:  # numpy's header parser raises ValueError, SyntaxError, TokenError...
        raise UploadError(f"{what}: malformed .npy header ({exc}); accepted: files written by "
                          "numpy.save") from exc
    rules.check_dtype(dtype, what, kinds)
    need, have = math.prod(shape) * dtype.itemsize, size - fp.tell()
    if need > have:
        raise UploadError(f"{what}: the .npy header declares shape {shape} of {dtype} ({need:,} "
                          f"bytes) but only {have:,} bytes of data follow; the file is truncated or "
                          "forged; accepted: complete files written by numpy.save")
    return shape, dtype


def _np_load(source, key: str | None, what: str) -> np.ndarray:
    """np.load with allow_pickle=False (from bytes, or key of an open NpzFile)."""
    try:
        return source[key] if key is not None else np.load(io.BytesIO(source), allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise UploadError(f"{what}: object or pickled arrays are refused; accepted: plain "
                              "numeric arrays") from exc
        raise UploadError(f"{what} could not be read ({exc}); accepted: files written by numpy") from exc
    except zipped.ZIP_ERRORS as exc:
        raise UploadError(f"{what} could not be read ({exc}); accepted: files written by numpy") from exc


def read_npy(data: bytes):
    shape, _ = _npy_header(data[:65_536], len(data), "the .npy array")
    rules.image_shape(shape)  # before any allocation
    return _np_load(data, None, "the .npy array"), None


def _npz_key(names: set[str], keys: tuple[str, str], required: bool) -> str | None:
    found = [k for k in keys if f"{k}.npy" in names]
    if len(found) > 1:
        raise UploadError(f"the .npz holds both {keys[0]!r} and {keys[1]!r}; accepted: exactly one")
    if not found and required:
        listed = ", ".join(sorted(n.removesuffix(".npy") for n in names)) or "none"
        raise UploadError(f"the .npz has no array named {keys[0]!r} or {keys[1]!r} (its keys: "
                          f"{listed}); accepted: images under 'x' or 'images', labels under 'y' or "
                          "'labels'")
    return found[0] if found else None


def _check_npz_member(zf: zipfile.ZipFile, key: str, images: bool) -> None:
    info = zf.getinfo(f"{key}.npy")
    try:
        with zf.open(info) as f:
            prefix = f.read(min(info.file_size, 65_536))  # bounded by the declared size
    except zipped.ZIP_ERRORS as exc:
        raise UploadError(f"the .npz array {key!r} is corrupt ({exc}); accepted: files written by "
                          "numpy.savez") from exc
    shape, _ = _npy_header(prefix, info.file_size, f"the .npz array {key!r}", "biuf" if images else "biufU")
    if images:
        rules.image_shape(shape)
    elif len(shape) != 1 or shape[0] > rules.MAX_SAMPLES:
        raise UploadError(f"labels {key!r} have shape {shape}; accepted: one label per image, a "
                          f"1-D array of at most {rules.MAX_SAMPLES:,}")


def read_npz(data: bytes):
    zf = zipped.open_zip(data, "the .npz")
    with zf:
        zipped.check_entries(zf.infolist())
        names = set(zf.namelist())
        x_key = _npz_key(names, ("x", "images"), required=True)
        y_key = _npz_key(names, ("y", "labels"), required=False)
        for key in filter(None, (x_key, y_key)):
            _check_npz_member(zf, key, images=key == x_key)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        # by the exact member name checked above ('x' alone could name another member)
        x = _np_load(npz, f"{x_key}.npy", f"the .npz array {x_key!r}")
        y = _np_load(npz, f"{y_key}.npy", f"the .npz array {y_key!r}") if y_key else None
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
            raise UploadError(f"CSV line {number} is too long ({len(line):,} characters); accepted: "
                              f"at most {rules.MAX_CSV_LINE:,} ({rules.MAX_SIDE ** 2:,} pixels and a label)")
        yield line


def _csv_rows(data: bytes):
    """(line number, cells) of every non-blank row, with caps on rows and columns."""
    reader = csv.reader(_csv_lines(data))
    try:
        for count, cells in enumerate(filter(None, reader)):  # filter: blank lines give []
            if len(cells) > rules.MAX_SIDE ** 2 + 1:
                raise UploadError(f"CSV line {reader.line_num} has too many columns ({len(cells):,});"
                                  f" accepted: at most {rules.MAX_SIDE ** 2:,} pixels and a label")
            if count > rules.MAX_SAMPLES:  # the first row may be a header
                raise UploadError(f"CSV has too many rows (over {rules.MAX_SAMPLES:,}); accepted: at most "
                                  f"{rules.MAX_SAMPLES:,} images")
            yield reader.line_num, cells
    except csv.Error as exc:
        raise UploadError(f"malformed CSV at line {reader.line_num} ({exc}); accepted: plain "
                          "comma-separated numbers") from exc


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
        raise UploadError(f"CSV line {line}, column {col + 1}{name}: {cells[col][:20]!r} is not a "
                          "number; accepted: numbers in every pixel cell") from None


def read_csv(data: bytes):
    rows = _csv_rows(data)
    first = next(rows, None)
    if first is None:
        raise UploadError("the CSV holds no rows; accepted: one image per row")
    header, label_col = _csv_header(first[1])
    width = len(first[1])
    pixel_names = [c for i, c in enumerate(header) if i != label_col] if header else None
    pixels, labels = [], []  # converted row by row: no cell strings are kept
    for line, cells in rows if header else itertools.chain([first], rows):
        if len(cells) != width:
            raise UploadError(f"ragged CSV rows: line {line} has {len(cells)} cells but line "
                              f"{first[0]} has {width}; accepted: the same number on every row")
        if label_col is not None:
            labels.append(cells.pop(label_col).strip())
        pixels.append(_csv_pixels(line, cells, pixel_names))
    if not pixels:
        raise UploadError("the CSV has a header but no data rows; accepted: one image per row")
    x = np.stack(pixels)  # (N, D)
    d = x.shape[1]
    if label_col is None and not rules.is_square(d) and rules.is_square(d - 1):
        raise UploadError(f"the CSV has {d} columns, not a perfect square; if the first column is "
                          "the label, add a header row naming it 'label'")
    return x, (_csv_labels(labels) if label_col is not None else None)


def _csv_labels(labels: list[str]) -> np.ndarray:
    if "" in labels:
        raise UploadError(f"empty label in CSV data row {labels.index('') + 1}; accepted: a label in "
                          "every row (a whole number or a name)")
    if all(_is_number(v) for v in labels):
        return np.array(labels, dtype=np.float64)
    return np.array(labels, dtype=str)
