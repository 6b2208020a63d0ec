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

import csv
import hashlib
import io
import itertools
import math
import os
import re
import warnings
import zipfile
import zlib

import numpy as np
from PIL import Image
from sklearn.model_selection import train_test_split

from .data import Dataset

MB = 1_000_000
MAX_BYTES = 50 * MB  # raw upload
MAX_SAMPLES = 70_000  # images; full MNIST
MIN_SAMPLES = 50  # enough for an 80/20 split and UMAP's 15 neighbours
MIN_SIDE, MAX_SIDE = 4, 64  # pixels per image side (H and W)
MAX_VALUES = 70_000 * 28 * 28  # N*H*W in all: full MNIST's size (~220 MB as float32)
MAX_CLASSES = 256
MAX_CSV_LINE = 32 * (MAX_SIDE ** 2 + 1)  # characters: 32 a cell
MAX_ZIP_ENTRIES = 70_000
MAX_UNCOMPRESSED = 200 * MB  # sum of the declared sizes of all zip members
MAX_RATIO = 100  # uncompressed / compressed, per member and overall ...
RATIO_FLOOR = 1 << 20  # ... checked where the uncompressed size exceeds 1 MiB (tiny files may
#                        compress far better, harmlessly: e.g. an .npz's all-zero labels)
TEST_SIZE = 0.2  # the same stratified split as data.load

ACCEPTED = ("accepted: .npy (images N x H x W, or N x D with D = H*W a perfect square); .npz (images "
            "under 'x' or 'images', optional labels under 'y' or 'labels'); .csv (one image per row, "
            "optional header, optional 'label' column); .zip (PNG/JPEG images in class folders, "
            f"class_name/image.png); at most {MAX_BYTES // MB} MB, {MIN_SAMPLES:,} to {MAX_SAMPLES:,} "
            f"images of {MIN_SIDE} to {MAX_SIDE} pixels a side")
SCALING_NOTE = ("Pixel values are scaled to [0, 1] over the whole upload: values already within [0, 1] "
                "are kept, other non-negative values up to 255 are divided by 255 (8-bit images), and "
                "anything else (negatives or values above 255) is min-max scaled so the smallest value "
                "becomes 0 and the largest 1.")

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
IMAGE_EXTS = (".png", ".jpg", ".jpeg")
ARCHIVE_EXTS = (".zip", ".npz", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz4",
                ".jar", ".cab", ".iso", ".z")
IGNORED_NAMES = ("thumbs.db", "desktop.ini")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
              ValueError)  # what zipfile raises on forged offsets and streams
GUESSES = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (NPY_MAGIC, "a .npy array"),
           (b"PK", "a zip archive"), (b"\x1f\x8b", "a gzip archive"), (b"\x80", "a Python pickle"),
           (b"%PDF", "a PDF"))


class UploadError(ValueError):
    """An upload was refused; the message says what is wrong and what is accepted."""


def load_upload(data: bytes, filename: str, *, seed: int = 0) -> Dataset:
    """The Dataset in an uploaded file: x (N, H*W) float32 in [0, 1], read-only, split 80/20
    stratified by class with `seed`, named 'upload:' + the first 12 hex digits of its SHA-256.

    The format is chosen by the extension of `filename` and must match the content.
    Raises UploadError naming the problem and what is accepted.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UploadError(f"expected the file's bytes, got {type(data).__name__}; {ACCEPTED}")
    data = bytes(data)
    if not data:
        raise UploadError(f"the file {filename!r} is empty (0 bytes); {ACCEPTED}")
    if len(data) > MAX_BYTES:
        raise UploadError(f"the file is too large: {len(data):,} bytes ({len(data) / MB:,.1f} MB); "
                          f"accepted: at most {MAX_BYTES:,} bytes ({MAX_BYTES / MB:,.0f} MB)")
    ext = os.path.splitext(os.path.basename(str(filename)))[1].lower()
    if ext not in PARSERS:
        raise UploadError(f"unknown file type {ext or '(no extension)'!r} of {filename!r}; {ACCEPTED}")
    kind, looks_right, parse = PARSERS[ext]
    if not looks_right(data):
        raise UploadError(f"the file {filename!r} is not what its name says: it does not look like "
                          f"{kind} but like {_guess(data)}; rename it or upload {kind}")
    images, labels = parse(data)
    return _to_dataset(images, labels, f"upload:{hashlib.sha256(data).hexdigest()[:12]}", int(seed))


def scale_to_unit(x: np.ndarray) -> tuple[np.ndarray, str]:
    """x (any shape, finite real numbers) as float32 in [0, 1] by the rule in SCALING_NOTE, and the
    rule applied: 'kept', 'divided by 255' or 'min-max'. A constant outside [0, 255] becomes 0."""
    lo, hi = float(x.min()), float(x.max())
    if 0 <= lo and hi <= 1:
        return x.astype(np.float32), "kept"
    if 0 <= lo and hi <= 255:
        return x.astype(np.float32) / np.float32(255), "divided by 255"
    half = np.asarray(x, dtype=np.float64) * 0.5  # halves: hi - lo cannot overflow
    span = hi * 0.5 - lo * 0.5
    scaled = (half - lo * 0.5) / span if span > 0 else np.zeros_like(half)
    return np.clip(scaled, 0, 1).astype(np.float32), "min-max"


# --- recognising a file -------------------------------------------------------------------------

def _is_text(data: bytes) -> bool:
    """UTF-8 without control characters other than tab, CR and LF."""
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes) -> str:
    for magic, what in GUESSES:
        if data.startswith(magic):
            return what
    return "text" if _is_text(data[:4096]) else "unknown binary data"


# --- .npy and .npz ------------------------------------------------------------------------------

def _check_dtype(dtype: np.dtype, what: str, kinds: str = "biuf") -> None:
    """Refuse object (pickled) arrays and dtypes whose kind is not in `kinds` ('U': strings)."""
    if dtype.hasobject:
        raise UploadError(f"{what}: object or pickled arrays are refused (they can run code when "
                          "loaded); accepted: plain numeric arrays (bool, integer or float)")
    if dtype.kind not in kinds:
        strings = " (or strings)" if "U" in kinds else ""
        raise UploadError(f"{what}: dtype {dtype} is refused; accepted: bool, integer or float "
                          f"numbers{strings}")


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
    _check_dtype(dtype, what, kinds)
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
    except ZIP_ERRORS as exc:
        raise UploadError(f"{what} could not be read ({exc}); accepted: files written by numpy") from exc


def _from_npy(data: bytes):
    shape, _ = _npy_header(data[:65_536], len(data), "the .npy array")
    _image_shape(shape)  # before any allocation
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
    except ZIP_ERRORS as exc:
        raise UploadError(f"the .npz array {key!r} is corrupt ({exc}); accepted: files written by "
                          "numpy.savez") from exc
    shape, _ = _npy_header(prefix, info.file_size, f"the .npz array {key!r}", "biuf" if images else "biufU")
    if images:
        _image_shape(shape)
    elif len(shape) != 1 or shape[0] > MAX_SAMPLES:
        raise UploadError(f"labels {key!r} have shape {shape}; accepted: one label per image, a "
                          f"1-D array of at most {MAX_SAMPLES:,}")


def _from_npz(data: bytes):
    zf = _open_zip(data, "the .npz")
    with zf:
        _check_zip_entries(zf.infolist())
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
    """The text's lines, refusing any longer than MAX_CSV_LINE before csv splits it into cells."""
    for number, line in enumerate(io.StringIO(data.decode("utf-8-sig"), newline=""), 1):
        if len(line) > MAX_CSV_LINE:
            raise UploadError(f"CSV line {number} is too long ({len(line):,} characters); accepted: "
                              f"at most {MAX_CSV_LINE:,} ({MAX_SIDE ** 2:,} pixels and a label)")
        yield line


def _csv_rows(data: bytes):
    """(line number, cells) of every non-blank row, with caps on rows and columns."""
    reader = csv.reader(_csv_lines(data))
    try:
        for count, cells in enumerate(filter(None, reader)):  # filter: blank lines give []
            if len(cells) > MAX_SIDE ** 2 + 1:
                raise UploadError(f"CSV line {reader.line_num} has too many columns ({len(cells):,});"
                                  f" accepted: at most {MAX_SIDE ** 2:,} pixels and a label")
            if count > MAX_SAMPLES:  # the first row may be a header
                raise UploadError(f"CSV has too many rows (over {MAX_SAMPLES:,}); accepted: at most "
                                  f"{MAX_SAMPLES:,} images")
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


def _from_csv(data: bytes):
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
    if label_col is None and not _is_square(d) and _is_square(d - 1):
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


# --- .zip of images -----------------------------------------------------------------------------

def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_ERRORS, zipfile.LargeZipFile) as exc:
        raise UploadError(f"{what} is not a valid zip archive ({exc}); accepted: a zip as written "
                          "by common tools") from exc


def _check_zip_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Entry count, unique names, plain deflate or stored members, then the size caps.

    zipfile stops a deflated member at its declared size (and then fails its CRC), so the declared
    sizes checked here bound what is decompressed; bzip2 and LZMA members are not bounded that way.
    """
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadError(f"the archive has too many entries ({len(infos):,}); accepted: at most "
                          f"{MAX_ZIP_ENTRIES:,}")
    seen = set()
    for info in infos:
        if info.filename in seen:
            raise UploadError(f"the archive holds two entries named {info.filename!r}; accepted: "
                              "unique names")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UploadError(f"zip entry {info.filename!r} is encrypted; accepted: unencrypted zips")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(f"zip entry {info.filename!r} uses compression method "
                              f"{info.compress_type}; accepted: stored or deflate (what common tools "
                              "write)")
    _check_zip_sizes(infos)


def _check_zip_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Caps on the total declared size and on compression ratios (zip bombs)."""
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UploadError(f"the archive declares {total:,} bytes uncompressed; accepted: at most "
                          f"{MAX_UNCOMPRESSED:,} ({MAX_UNCOMPRESSED / MB:,.0f} MB)")
    packed = sum(i.compress_size for i in infos)
    for name, size, comp in [(i.filename, i.file_size, i.compress_size) for i in infos] + \
            [("the archive as a whole", total, packed)]:
        if size > RATIO_FLOOR and size > MAX_RATIO * max(comp, 1):
            raise UploadError(f"zip bomb suspected: {name!r} has a compression ratio of "
                              f"{size / max(comp, 1):,.0f} ({size:,} bytes from {comp:,}); "
                              f"accepted: at most {MAX_RATIO}")


def _entry_class(name: str) -> str | None:
    """The class folder of a zip entry, None for entries to ignore; refuses unsafe or foreign ones."""
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise UploadError(f"zip entry {name!r} has an absolute path; accepted: relative paths "
                          "class_name/image.png")
    if ".." in parts:
        raise UploadError(f"zip entry {name!r} has a '..' path component; accepted: relative paths "
                          "class_name/image.png without '..'")
    base = parts[-1].lower()
    if not base or parts[0] == "__MACOSX" or base.startswith(".") or base in IGNORED_NAMES:
        return None  # folders, macOS resource forks, hidden and system files
    if base.endswith(ARCHIVE_EXTS):
        raise UploadError(f"zip entry {name!r} is a nested archive, which is refused; accepted: "
                          "PNG/JPEG images only")
    if not base.endswith(IMAGE_EXTS):
        raise UploadError(f"zip entry {name!r} is not an image; accepted: .png, .jpg, .jpeg files "
                          "in class folders")
    if len(parts) < 2 or not parts[-2]:
        raise UploadError(f"zip entry {name!r} is not inside a class folder; accepted: "
                          "class_name/image.png")
    return parts[-2]


def _read_image(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One entry as a greyscale (H, W) uint8 array, refusing bombs and images over MAX_SIDE."""
    name = info.filename
    try:
        with zf.open(info) as f:
            raw = f.read(info.file_size)  # bounded by the declared size; zipfile checks the CRC
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=("PNG", "JPEG")) as im:
                if im.width > MAX_SIDE or im.height > MAX_SIDE:  # our own pixel cap, before decoding
                    raise UploadError(f"zip entry {name!r} is {im.width}x{im.height}: too many "
                                      f"pixels; accepted: at most {MAX_SIDE}x{MAX_SIDE}")
                return np.asarray(im.convert("L"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(f"zip entry {name!r} is a decompression bomb ({exc}); accepted: images of "
                          f"at most {MAX_SIDE}x{MAX_SIDE}") from exc
    except UploadError:
        raise
    except Exception as exc:  # Pillow and zipfile raise many kinds on corrupt input
        why = "unrecognised format" if isinstance(exc, Image.UnidentifiedImageError) else exc
        raise UploadError(f"zip entry {name!r} is corrupt or not a PNG/JPEG image ({why}); "
                          "accepted: readable PNG or JPEG files") from exc


def _from_zip(data: bytes):
    with _open_zip(data, "the .zip") as zf:
        infos = zf.infolist()
        _check_zip_entries(infos)
        entries = [(i, c) for i in infos if (c := _entry_class(i.filename)) is not None]
        if not entries:
            raise UploadError("the .zip holds no images; accepted: PNG/JPEG images in class "
                              "folders, class_name/image.png")
        images, first = [], None
        for info, _ in entries:
            img = _read_image(zf, info)
            if first is None:
                first = (info.filename, img.shape)
                _image_shape((len(entries),) + img.shape)
            elif img.shape != first[1]:
                (h0, w0), (h, w) = first[1], img.shape
                raise UploadError(f"images of different sizes: {first[0]!r} is {w0}x{h0} but "
                                  f"{info.filename!r} is {w}x{h}; accepted: one size for all")
            images.append(img)
    return np.stack(images), np.array([c for _, c in entries], dtype=str)


PARSERS = {  # extension -> (what it should be, content check, parser returning (images, labels))
    ".npy": ("a .npy array", lambda d: d.startswith(NPY_MAGIC), _from_npy),
    ".npz": ("a .npz archive", lambda d: d.startswith(ZIP_MAGICS), _from_npz),
    ".zip": ("a zip archive", lambda d: d.startswith(ZIP_MAGICS), _from_zip),
    ".csv": ("CSV text", _is_text, _from_csv),
}


# --- common checks and the Dataset --------------------------------------------------------------

def _is_square(d: int) -> bool:
    return d >= 0 and math.isqrt(d) ** 2 == d


def _image_shape(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(N, H, W) from an images array's shape, (N, H, W) or (N, H*W) with H = W; refuses the rest."""
    if len(shape) not in (2, 3):
        raise UploadError(f"images must be a 3-D array (N, H, W) or a 2-D array (N, H*W); got a "
                          f"{len(shape)}-D array of shape {tuple(shape)}")
    if len(shape) == 2 and not _is_square(shape[1]):
        raise UploadError(f"each image has D = {shape[1]} values, not a perfect square, so it is not "
                          "an H x W image; accepted: D = H*W with H = W (e.g. 784 = 28 x 28), or "
                          "an N x H x W array")
    n, h, w = shape if len(shape) == 3 else (shape[0], math.isqrt(shape[1]), math.isqrt(shape[1]))
    if max(h, w) > MAX_SIDE:
        raise UploadError(f"images are {h}x{w}: too many pixels; accepted: {MIN_SIDE} to {MAX_SIDE} "
                          "pixels a side")
    if min(h, w) < MIN_SIDE:
        raise UploadError(f"images are {h}x{w}: too small; accepted: {MIN_SIDE} to {MAX_SIDE} pixels "
                          "a side")
    if not MIN_SAMPLES <= n <= MAX_SAMPLES:
        few = "too few" if n < MIN_SAMPLES else "too many"
        raise UploadError(f"{few} samples: {n:,}; accepted: {MIN_SAMPLES:,} to {MAX_SAMPLES:,} images "
                          "(enough for an 80/20 split and UMAP's 15 neighbours)")
    if n * h * w > MAX_VALUES:
        raise UploadError(f"{n:,} images of {h}x{w} are too many values ({n * h * w:,}); accepted: "
                          f"at most {MAX_VALUES:,} in all (full MNIST's size)")
    return n, h, w


def _check_values(x: np.ndarray) -> None:
    _check_dtype(x.dtype, "images")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        bad = int(np.flatnonzero(~np.isfinite(x.reshape(len(x), -1)).all(axis=1))[0])
        what = "NaN (not a number)" if np.isnan(x).any() else "infinite"
        raise UploadError(f"images contain {what} values (first in image {bad}, counting from 0); "
                          "accepted: finite numbers only")


def _labels(labels, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """y (N,) int64 in 0..K-1 and the K class names, sorted by label value."""
    if labels is None:
        return np.zeros(n, dtype=np.int64), ("all",)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise UploadError(f"labels have shape {labels.shape} but there are {n:,} images; accepted: "
                          "one label per image, shape (N,)")
    if labels.dtype.kind in "fbiu":
        labels = _whole_numbers(labels)
    elif labels.dtype.kind != "U":
        raise UploadError(f"labels have dtype {labels.dtype}, which is refused; accepted: "
                          "non-negative whole numbers or strings")
    values, y = np.unique(labels, return_inverse=True)
    return y.astype(np.int64).reshape(n), tuple(str(v) for v in values)


def _whole_numbers(labels: np.ndarray) -> np.ndarray:
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.floor(labels)) | (labels >= 2 ** 53)
        if bad.any():
            raise UploadError(f"label {labels[bad][0].item()!r} is not a whole number; accepted: "
                              "non-negative whole numbers or strings")
    if (labels < 0).any():
        raise UploadError(f"negative label {labels[labels < 0][0]}; accepted: non-negative whole "
                          "numbers or strings")
    return labels.astype(np.int64) if labels.dtype.kind in "fb" else labels  # uint64 stays exact


def _check_classes(y: np.ndarray, names: tuple[str, ...]) -> None:
    """Each class needs 2 samples, and each part of the split one per class (stratification)."""
    counts = np.bincount(y, minlength=len(names))
    if counts.min() < 2:
        name = names[int(counts.argmin())]
        raise UploadError(f"class {name!r} has only 1 sample; accepted: at least 2 per class (for "
                          "the stratified 80/20 split)")
    n_test = math.ceil(TEST_SIZE * len(y))
    limit = min(MAX_CLASSES, n_test)
    if len(names) > limit:
        raise UploadError(f"too many classes: {len(names):,}; accepted: at most {limit:,} here "
                          f"(at most {MAX_CLASSES}, and no more than the {n_test:,} test images)")


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    out = tuple(np.ascontiguousarray(a) for a in arrays)
    for a in out:
        a.setflags(write=False)
    return out


def _to_dataset(images: np.ndarray, labels, name: str, seed: int) -> Dataset:
    n, h, w = _image_shape(images.shape)
    _check_values(images)
    x, _ = scale_to_unit(images.reshape(n, h * w))  # (N, H*W) float32
    y, class_names = _labels(labels, n)
    _check_classes(y, class_names)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=TEST_SIZE, stratify=y, random_state=seed)
    x_tr, y_tr, x_te, y_te = _read_only(x_tr, y_tr, x_te, y_te)
    return Dataset(name, x_tr, y_tr, x_te, y_te, image_shape=(h, w), class_names=class_names)
