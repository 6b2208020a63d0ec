"""aeviz.upload: every hostile or malformed upload is refused with its own clear message; valid
uploads become Datasets like data.load's (float32 in [0, 1], read-only, stratified 80/20 split).

All inputs are built in memory here; no files are committed.
"""
import csv
import io
import struct
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import train_test_split

from aeviz import upload
from aeviz.upload import UploadError, load_upload

# --- builders -----------------------------------------------------------------------------------

def images(n=60, h=8, w=8, seed=0) -> np.ndarray:
    """(n, h, w) uint8 noise images."""
    return np.random.default_rng(seed).integers(0, 256, (n, h, w), dtype=np.uint8)


def classes(n=60, k=3) -> np.ndarray:
    return np.arange(n) % k


def npy(arr, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def npz(compressed=False, **arrays) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def npy_header(shape, descr="<f8", data=b"") -> bytes:
    """A .npy file whose header declares `shape` followed by `data`, whatever its length."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + data


def png(arr: np.ndarray, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def zipped(entries: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def class_zip(n=60, h=8, w=8, names=("cat", "dog"), extra=None, first=None) -> bytes:
    """A zip of n PNGs in class folders, optionally with `first` entries before and `extra` after."""
    imgs = images(n, h, w)
    entries = dict(first or {})
    entries.update({f"{names[i % len(names)]}/{i}.png": png(imgs[i]) for i in range(n)})
    entries.update(extra or {})
    return zipped(entries)


def table(x: np.ndarray, labels=None, header=True) -> bytes:
    """CSV text: one flattened image per row, the label first when given."""
    out = io.StringIO()
    writer = csv.writer(out)
    flat = x.reshape(len(x), -1)
    if header:
        writer.writerow((["label"] if labels is not None else []) + [f"p{i}" for i in range(flat.shape[1])])
    for i, row in enumerate(flat.tolist()):
        writer.writerow(([labels[i]] if labels is not None else []) + row)
    return out.getvalue().encode()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side=30_000) -> bytes:
    """A real 1-bit PNG of side x side zero pixels (112 MB decoded at 30,000) in a few hundred KB."""
    row = bytes(1 + (side + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 1000) for _ in range(side // 1000)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    chunks = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def flip_byte(data: bytes, marker: bytes) -> bytes:
    """data with the byte just after the first `marker` inverted (corrupts a stored member)."""
    i = data.index(marker) + len(marker)
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]


def patch_first_entry(data: bytes, *, size: int | None = None, flags: int | None = None) -> bytes:
    """data with the first zip member's declared uncompressed size and/or flag bits replaced, in its
    local header and in the central directory alike (a forged archive)."""
    out = bytearray(data)
    for signature, size_at, flags_at in ((b"PK\x03\x04", 22, 6), (b"PK\x01\x02", 24, 8)):
        i = data.index(signature)
        if size is not None:
            out[i + size_at:i + size_at + 4] = struct.pack("<I", size)
        if flags is not None:
            out[i + flags_at:i + flags_at + 2] = struct.pack("<H", flags)
    return bytes(out)


def duplicate_names_zip() -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, and writes it
        zf.writestr("cat/a.png", png(X[0]))
        zf.writestr("cat/a.png", png(X[1]))
    return buf.getvalue()


def object_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, x=np.array([{"a": 1}, None], dtype=object))  # savez pickles object arrays
    return buf.getvalue()


def empty_zip() -> bytes:
    return zipped({})


def truncated_npy() -> bytes:
    full = npy(images().astype(np.float64))
    return full[: len(full) // 2]


# --- hostile inputs -----------------------------------------------------------------------------

X = images()  # (60, 8, 8) uint8
Y = classes()  # (60,) 0..2
RNG_BYTES = np.random.default_rng(1).bytes(4096)

# (id, () -> (bytes, filename), expected message fragment, {attribute of upload: patched value})
HOSTILE = [
    ("empty-file", lambda: (b"", "a.npy"), "empty", {}),
    ("not-bytes", lambda: ("some text", "a.csv"), "expected the file's bytes", {}),
    ("over-max-bytes", lambda: (npy(X), "a.npy"), "too large", {"MAX_BYTES": 1000}),
    ("unknown-extension", lambda: (b"hello", "a.txt"), "unknown file type '.txt'", {}),
    ("no-extension", lambda: (npy(X), "images"), "unknown file type", {}),
    ("random-bytes-as-npy", lambda: (RNG_BYTES, "a.npy"), "not what its name says", {}),
    ("png-renamed-npy", lambda: (png(X[0]), "a.npy"), "like a PNG image", {}),
    ("npy-renamed-npz", lambda: (npy(X), "a.npz"), "not what its name says", {}),
    ("zip-renamed-npy", lambda: (class_zip(), "a.npy"), "like a zip archive", {}),
    ("binary-as-csv", lambda: (RNG_BYTES, "a.csv"), "not what its name says", {}),
    ("npy-as-csv", lambda: (npy(X), "a.csv"), "like a .npy array", {}),
    ("nul-byte-in-csv", lambda: (b"1,2,3,4\n5,6,\x00,8\n", "a.csv"), "not what its name says", {}),
    ("pickled-object-npy", lambda: (npy(np.array([{"a": 1}, None], dtype=object), True), "a.npy"),
     "pickled", {}),
    ("pickled-object-npz", lambda: (object_npz(), "a.npz"), "pickled", {}),
    ("malformed-npy-header", lambda: (b"\x93NUMPY\x01\x00\x10\x00{'descr': nonsense}", "a.npy"),
     "malformed .npy header", {}),
    ("npy-version-3", lambda: (b"\x93NUMPY\x03\x00" + bytes(64), "a.npy"), "version 3.0", {}),
    ("huge-declared-shape", lambda: (npy_header((10**9, 784), data=bytes(100)), "a.npy"),
     "declares shape (1000000000, 784)", {}),
    ("truncated-npy", lambda: (truncated_npy(), "a.npy"), "truncated", {}),
    ("nan", lambda: (npy(np.where(X > 250, np.nan, X / 1.0)), "a.npy"), "NaN", {}),
    ("inf", lambda: (npy(np.where(X > 250, np.inf, X / 1.0)), "a.npy"), "infinite", {}),
    ("1-d-array", lambda: (npy(np.zeros(100)), "a.npy"), "1-D array", {}),
    ("4-d-array", lambda: (npy(np.zeros((60, 8, 8, 3))), "a.npy"), "4-D array", {}),
    ("non-square-d", lambda: (npy(np.zeros((60, 785))), "a.npy"), "D = 785", {}),
    ("complex-dtype", lambda: (npy(X.astype(np.complex128)), "a.npy"), "complex128 is refused", {}),
    ("string-dtype", lambda: (npy(X.astype(str)), "a.npy"), "<U3 is refused", {}),
    ("datetime-dtype", lambda: (npy(np.zeros((60, 64), "datetime64[s]")), "a.npy"), "datetime64", {}),
    ("structured-dtype", lambda: (npy(np.zeros((60, 64), [("a", "<f4")])), "a.npy"), "is refused", {}),
    ("too-few-samples", lambda: (npy(images(10)), "a.npy"), "too few samples: 10", {}),
    ("too-many-samples", lambda: (npy(X), "a.npy"), "too many samples: 60", {"MAX_SAMPLES": 55}),
    ("too-many-pixels", lambda: (npy(images(60, 100, 100)), "a.npy"), "too many pixels", {}),
    ("too-small-images", lambda: (npy(images(60, 2, 2)), "a.npy"), "too small", {}),
    ("too-many-values", lambda: (npy(X), "a.npy"), "too many values", {"MAX_VALUES": 1000}),
    ("npz-missing-x", lambda: (npz(pixels=X), "a.npz"), "no array named 'x' or 'images'", {}),
    ("npz-x-and-images", lambda: (npz(x=X, images=X), "a.npz"), "both 'x' and 'images'", {}),
    ("labels-wrong-length", lambda: (npz(x=X, y=Y[:59]), "a.npz"), "labels have shape (59,)", {}),
    ("labels-2-d", lambda: (npz(x=X, y=Y.reshape(30, 2)), "a.npz"), "one label per image", {}),
    ("labels-negative", lambda: (npz(x=X, y=Y - 1), "a.npz"), "negative label -1", {}),
    ("labels-non-integral", lambda: (npz(x=X, y=Y + 0.5), "a.npz"), "not a whole number", {}),
    ("labels-nan", lambda: (npz(x=X, y=np.where(Y == 2, np.nan, Y)), "a.npz"), "nan", {}),
    ("labels-complex", lambda: (npz(x=X, labels=Y.astype(complex)), "a.npz"), "complex128 is refused",
     {}),
    ("class-with-one-sample", lambda: (npz(x=X, y=np.r_[np.zeros(59, int), 1]), "a.npz"),
     "class '1' has only 1 sample", {}),
    ("too-many-classes", lambda: (npz(x=X, y=np.arange(60) // 2), "a.npz"), "too many classes: 30",
     {}),
    ("npz-zip-bomb", lambda: (npz(True, x=np.zeros((1300, 64, 64), np.uint8)), "a.npz"),
     "compression ratio", {}),
    ("npz-not-a-zip", lambda: (b"PK\x03\x04" + RNG_BYTES, "a.npz"), "not a valid zip", {}),
    ("csv-non-numeric-cell", lambda: (_csv_with_bad_cell(), "a.csv"),
     "line 4, column 3 ('p2'): 'abc' is not a number", {}),
    ("csv-ragged-rows", lambda: (table(X) + b"1,2,3\n", "a.csv"), "ragged", {}),
    ("csv-non-square-columns", lambda: (table(images(60, 1, 7), header=False), "a.csv"), "D = 7", {}),
    ("csv-unnamed-label-column", lambda: (table(X, Y, header=False), "a.csv"),
     "naming it 'label'", {}),
    ("csv-only-header", lambda: (b"label,p0,p1,p2,p3\n", "a.csv"), "no data rows", {}),
    ("csv-empty-label", lambda: (table(X, [""] + list(Y[1:])), "a.csv"), "empty label", {}),
    ("csv-too-many-columns", lambda: (b",".join([b"1"] * 4099) + b"\n", "a.csv"), "too many columns",
     {}),
    ("csv-too-many-rows", lambda: (table(X, header=False), "a.csv"), "too many rows",
     {"MAX_SAMPLES": 55}),
    ("zip-bomb-entry", lambda: (zipped({"a/zeros.png": bytes(5 * 10**6)}), "a.zip"), "compression ratio",
     {}),
    ("zip-bomb-overall", lambda: (zipped({"a/1.png": bytes(10**6), "a/2.png": bytes(10**6)}), "a.zip"),
     "'the archive as a whole' has a compression ratio", {}),
    ("zip-uncompressed-total", lambda: (class_zip(), "a.zip"), "uncompressed", {"MAX_UNCOMPRESSED": 1000}),
    ("zip-too-many-entries", lambda: (class_zip(6), "a.zip"), "too many entries", {"MAX_ZIP_ENTRIES": 5}),
    ("zip-nested-zip", lambda: (class_zip(extra={"cat/more.zip": class_zip(3)}), "a.zip"),
     "nested archive", {}),
    ("zip-nested-tar-gz", lambda: (class_zip(extra={"cat/more.tar.gz": b"\x1f\x8b"}), "a.zip"),
     "nested archive", {}),
    ("zip-dotdot-path", lambda: (class_zip(extra={"../evil.png": png(X[0])}), "a.zip"), "'..'", {}),
    ("zip-absolute-path", lambda: (class_zip(extra={"/etc/evil.png": png(X[0])}), "a.zip"),
     "absolute path", {}),
    ("zip-windows-drive-path", lambda: (class_zip(extra={"C:/evil.png": png(X[0])}), "a.zip"),
     "absolute path", {}),
    ("zip-non-image", lambda: (class_zip(extra={"cat/notes.txt": b"hi"}), "a.zip"), "is not an image",
     {}),
    ("zip-top-level-image", lambda: (class_zip(extra={"loose.png": png(X[0])}), "a.zip"),
     "not inside a class folder", {}),
    ("zip-two-sizes", lambda: (class_zip(extra={"dog/big.png": png(images(1, 9, 9)[0])}), "a.zip"),
     "different sizes", {}),
    ("zip-corrupt-png", lambda: (class_zip(first={"cat/bad.png": b"\x89PNG\r\n\x1a\n" + RNG_BYTES}),
                                 "a.zip"), "corrupt", {}),
    ("zip-gif-named-png", lambda: (class_zip(first={"cat/g.png": png(X[0], "GIF")}), "a.zip"),
     "not a PNG/JPEG", {}),
    ("zip-bad-crc", lambda: (flip_byte(zipped({"cat/a.png": png(X[0])}, zipfile.ZIP_STORED), b"IHDR"),
                             "a.zip"), "Bad CRC-32", {}),
    ("zip-png-too-large", lambda: (class_zip(first={"cat/big.png": png(images(1, 100, 100)[0])}),
                                   "a.zip"), "too many pixels", {}),
    ("zip-png-too-small", lambda: (class_zip(h=2, w=2), "a.zip"), "too small", {}),
    ("zip-too-few-images", lambda: (class_zip(10), "a.zip"), "too few samples: 10", {}),
    ("zip-png-decompression-bomb", lambda: (zipped({"cat/bomb.png": png_bomb()}), "a.zip"),
     "decompression bomb", {}),
    ("zip-lying-declared-size", lambda: (patch_first_entry(zipped({"cat/a.png": bytes(2 * 10**6)}),
                                                           size=1000), "a.zip"), "Bad CRC-32", {}),
    ("npz-lying-declared-size", lambda: (patch_first_entry(npz(True, x=X), size=200), "a.npz"),
     "'x' is corrupt (Bad CRC-32", {}),
    ("zip-bzip2-member", lambda: (zipped({"cat/a.png": png(X[0])}, zipfile.ZIP_BZIP2), "a.zip"),
     "compression method 12", {}),
    ("zip-encrypted-member", lambda: (patch_first_entry(class_zip(), flags=1), "a.zip"), "encrypted", {}),
    ("zip-duplicate-names", lambda: (duplicate_names_zip(), "a.zip"), "two entries named 'cat/a.png'",
     {}),
    ("csv-line-too-long", lambda: (b"1," * 70_000 + b"1\n", "a.csv"), "line 1 is too long", {}),
    ("zip-empty", lambda: (empty_zip(), "a.zip"), "holds no images", {}),
    ("zip-only-macos-junk", lambda: (zipped({"__MACOSX/cat/._1.png": b"junk", "cat/.DS_Store": b"x"}),
                                     "a.zip"), "holds no images", {}),
]


def _csv_with_bad_cell() -> bytes:
    """Line 4 (the third data row) has 'abc' in its third cell."""
    lines = table(X).decode().splitlines()
    cells = lines[3].split(",")
    cells[2] = "abc"
    lines[3] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("build, fragment, patches", [pytest.param(*c[1:], id=c[0]) for c in HOSTILE])
def test_hostile_upload_is_refused_with_its_own_message(build, fragment, patches, monkeypatch):
    for name, value in patches.items():
        monkeypatch.setattr(upload.rules, name, value)  # the limits live in aeviz.upload.rules
    data, filename = build()
    with pytest.raises(UploadError) as info:
        load_upload(data, filename)
    assert fragment in str(info.value)


def test_there_are_at_least_40_distinct_hostile_inputs():
    assert len({case[0] for case in HOSTILE}) == len(HOSTILE) >= 40


def test_pillow_warning_level_bomb_becomes_an_error(monkeypatch):
    """Between MAX_IMAGE_PIXELS and twice it Pillow only warns: the warning must refuse too."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # a 40x40 image (1,600 pixels) warns
    data = class_zip(first={"cat/warn.png": png(images(1, 40, 40)[0])})
    with pytest.raises(UploadError, match="decompression bomb"):
        load_upload(data, "a.zip")


def test_huge_declared_shape_allocates_nothing(monkeypatch):
    """The header is checked before np.load, which would otherwise allocate 6 TB."""
    def fail(*args, **kwargs):
        raise AssertionError("np.load must not be reached")

    monkeypatch.setattr(np, "load", fail)
    with pytest.raises(UploadError, match="declares"):
        load_upload(npy_header((10**9, 784), data=bytes(100)), "a.npy")


def test_npz_reads_the_checked_member_not_a_forged_shadow():
    """NpzFile['x'] would prefer a member named plain 'x' over 'x.npy': the forged one, declaring
    (10**9, 784), must never be read."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x.npy", npy(X))
        zf.writestr("x", npy_header((10**9, 784), data=bytes(100)))
    ds = load_upload(buf.getvalue(), "a.npz")
    check_dataset(ds, 60, (8, 8))


@pytest.mark.parametrize("filename, good", [("a.npy", lambda: npy(X)), ("a.npz", lambda: npz(True, x=X, y=Y)),
                                            ("a.csv", lambda: table(images(60, 4, 4), Y)),
                                            ("a.zip", lambda: class_zip())],
                         ids=["npy", "npz", "csv", "zip"])
def test_mutated_files_load_or_raise_upload_error_only(filename, good):
    """Seeded byte flips, truncations and splices of valid files: each either loads into a valid
    Dataset or is refused with UploadError, never any other exception."""
    rng, data = np.random.default_rng(0), good()
    for _ in range(150):
        d = bytearray(data)
        i = int(rng.integers(len(d)))
        kind = rng.integers(3)
        if kind == 0:
            d[i] ^= int(rng.integers(1, 256))
        elif kind == 1:
            d = d[:max(i, 1)]
        else:
            d[i:i + int(rng.integers(1, 64))] = rng.bytes(int(rng.integers(64)))
        try:
            ds = load_upload(bytes(d), filename)
        except UploadError:
            continue
        assert 0 <= ds.x_train.min() and ds.x_train.max() <= 1


def test_upload_error_is_a_value_error_and_names_what_is_accepted():
    with pytest.raises(ValueError, match="accepted: .npy"):
        load_upload(b"", "a.npy")


# --- valid uploads ------------------------------------------------------------------------------

def check_dataset(ds, n, shape):
    """Common properties: the split, dtypes, range, read-only, name."""
    assert ds.image_shape == shape
    assert len(ds.x_train) + len(ds.x_test) == n and len(ds.x_test) == int(np.ceil(0.2 * n))
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.float32 and x.flags.c_contiguous and not x.flags.writeable
        assert y.dtype == np.int64 and not y.flags.writeable
        assert x.shape[1] == shape[0] * shape[1] and 0 <= x.min() and x.max() <= 1
    assert ds.name.startswith("upload:") and len(ds.name) == len("upload:") + 12


def test_valid_npy_of_uint8_images_is_divided_by_255():
    x = images(60, 28, 28)
    ds = load_upload(npy(x), "digits.npy", seed=3)
    check_dataset(ds, 60, (28, 28))
    assert ds.class_names == ("all",) and set(ds.y_train) == {0}
    flat = x.reshape(60, -1) / np.float32(255)
    x_tr, x_te = train_test_split(flat, test_size=0.2, stratify=np.zeros(60), random_state=3)
    np.testing.assert_array_equal(ds.x_train, x_tr)
    np.testing.assert_array_equal(ds.x_test, x_te)


def test_valid_npy_of_flat_rows_with_square_d():
    ds = load_upload(npy(X.reshape(60, 64)), "flat.NPY")  # extension case does not matter
    check_dataset(ds, 60, (8, 8))


def test_valid_npz_with_labels_splits_stratified_like_data_load():
    y = np.repeat([7, 2, 5], [20, 20, 40])  # labels need not be 0..K-1
    x = images(80)
    ds = load_upload(npz(True, x=x, y=y), "set.npz", seed=1)
    check_dataset(ds, 80, (8, 8))
    assert ds.class_names == ("2", "5", "7")
    mapped = np.searchsorted([2, 5, 7], y)
    _, _, y_tr, y_te = train_test_split(x, mapped, test_size=0.2, stratify=mapped, random_state=1)
    np.testing.assert_array_equal(ds.y_train, y_tr)
    np.testing.assert_array_equal(ds.y_test, y_te)
    assert np.bincount(ds.y_test).tolist() == [4, 8, 4]  # 20% of each class


def test_npz_with_images_and_string_labels_key_names():
    names = np.array(["zebra", "ant", "moth"])[Y]
    ds = load_upload(npz(images=X, labels=names), "set.npz")
    assert ds.class_names == ("ant", "moth", "zebra")
    assert np.bincount(ds.y_train).tolist() == [16, 16, 16]


def test_valid_csv_with_header_and_label_column():
    x = images(60, 4, 4)
    ds = load_upload(table(x, Y), "pixels.csv")
    check_dataset(ds, 60, (4, 4))
    assert ds.class_names == ("0", "1", "2")
    got = np.concatenate([ds.x_train, ds.x_test])
    want = x.reshape(60, -1) / np.float32(255)
    assert sorted(map(bytes, got)) == sorted(map(bytes, want))  # the same rows, in split order


def test_csv_without_header_is_all_pixels_with_one_class():
    ds = load_upload(table(X, header=False), "plain.csv")
    check_dataset(ds, 60, (8, 8))
    assert ds.class_names == ("all",)


def test_valid_zip_of_pngs_in_class_folders():
    data = class_zip(60, 6, 9, names=("zebra", "ant"), extra={"__MACOSX/zebra/._0.png": b"junk",
                                                              "ant/.DS_Store": b"x"})
    ds = load_upload(data, "pics.zip")
    check_dataset(ds, 60, (6, 9))
    assert ds.class_names == ("ant", "zebra")
    assert np.bincount(ds.y_test).tolist() == [6, 6]


def test_zip_accepts_jpeg_and_colour_converted_to_grey():
    rgb = np.random.default_rng(0).integers(0, 256, (60, 8, 8, 3), dtype=np.uint8)
    entries = {f"{'ab'[i % 2]}/{i}.jpg": png(rgb[i], "JPEG") for i in range(60)}
    ds = load_upload(zipped(entries), "pics.zip")
    check_dataset(ds, 60, (8, 8))
    assert ds.class_names == ("a", "b")


def test_same_bytes_same_name_other_bytes_other_name():
    a, b = load_upload(npy(X), "a.npy"), load_upload(npy(X), "renamed.npy")
    c = load_upload(npy(images(seed=1)), "a.npy")
    assert a.name == b.name != c.name


def test_seed_changes_the_split():
    a, b = load_upload(npy(X), "a.npy", seed=0), load_upload(npy(X), "a.npy", seed=1)
    assert not np.array_equal(a.x_test, b.x_test)


# --- scaling ------------------------------------------------------------------------------------

def test_scaling_note_matches_behaviour():
    """The three cases SCALING_NOTE names, each through a whole upload."""
    note = str(upload.SCALING_NOTE)
    assert "kept" in note and "divided by 255" in note and "min-max" in note

    unit = np.random.default_rng(0).random((60, 8, 8)).astype(np.float32)
    bytes_ = X.astype(np.int64)
    signed = np.random.default_rng(0).normal(0, 100, (60, 8, 8))
    for x, want in ((unit, unit), (bytes_, bytes_ / 255.0), (signed, (signed - signed.min()) /
                                                                (signed.max() - signed.min()))):
        ds = load_upload(npy(x), "a.npy")
        got = np.sort(np.concatenate([ds.x_train, ds.x_test]).ravel())
        np.testing.assert_allclose(got, np.sort(want.ravel()), atol=1e-6)


@pytest.mark.parametrize("values, rule", [([0.0, 0.5, 1.0], "kept"), ([0, 128, 255], "divided by 255"),
                                          ([-2.0, 0.0, 2.0], "min-max"), ([0, 300, 600], "min-max"),
                                          ([1e308, -1e308], "min-max"), ([True, False], "kept")])
def test_scale_to_unit_rules(values, rule):
    scaled, applied = upload.scale_to_unit(np.array(values))
    assert applied == rule and scaled.dtype == np.float32
    assert scaled.min() >= 0 and scaled.max() <= 1
    if rule == "min-max":
        assert scaled.min() == 0 and scaled.max() == 1
