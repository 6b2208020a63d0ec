"""Reading a .zip of PNG/JPEG images in class folders (class_name/image.png), and the guards that
every zip upload (.npz included) passes before anything is decompressed: entry count, unique
names, plain deflate or stored members, declared sizes and compression ratios, safe paths.
"""
from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib

import numpy as np
from PIL import Image

from . import rules
from .rules import UploadError

IMAGE_EXTS = (".png", ".jpg", ".jpeg")
ARCHIVE_EXTS = (".zip", ".npz", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz4",
                ".jar", ".cab", ".iso", ".z")
IGNORED_NAMES = ("thumbs.db", "desktop.ini")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
              ValueError)  # what zipfile raises on forged offsets and streams


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_ERRORS, zipfile.LargeZipFile) as exc:
        raise UploadError(f"{what} is not a valid zip archive ({exc}); accepted: a zip as written "
                          "by common tools") from exc


def check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Entry count, unique names, plain deflate or stored members, then the size caps.

    zipfile stops a deflated member at its declared size (and then fails its CRC), so the declared
    sizes checked here bound what is decompressed; bzip2 and LZMA members are not bounded that way.
    """
    if len(infos) > rules.MAX_ZIP_ENTRIES:
        raise UploadError(f"the archive has too many entries ({len(infos):,}); accepted: at most "
                          f"{rules.MAX_ZIP_ENTRIES:,}")
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
    if total > rules.MAX_UNCOMPRESSED:
        raise UploadError(f"the archive declares {total:,} bytes uncompressed; accepted: at most "
                          f"{rules.MAX_UNCOMPRESSED:,} ({rules.MAX_UNCOMPRESSED / rules.MB:,.0f} MB)")
    packed = sum(i.compress_size for i in infos)
    for name, size, comp in [(i.filename, i.file_size, i.compress_size) for i in infos] + \
            [("the archive as a whole", total, packed)]:
        if size > rules.RATIO_FLOOR and size > rules.MAX_RATIO * max(comp, 1):
            raise UploadError(f"zip bomb suspected: {name!r} has a compression ratio of "
                              f"{size / max(comp, 1):,.0f} ({size:,} bytes from {comp:,}); "
                              f"accepted: at most {rules.MAX_RATIO}")


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
    """One entry as a greyscale (H, W) uint8 array, refusing bombs and images over rules.MAX_SIDE pixels a side."""
    name = info.filename
    try:
        with zf.open(info) as f:
            raw = f.read(info.file_size)  # bounded by the declared size; zipfile checks the CRC
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=("PNG", "JPEG")) as im:
                if im.width > rules.MAX_SIDE or im.height > rules.MAX_SIDE:  # our own pixel cap, before decoding
                    raise UploadError(f"zip entry {name!r} is {im.width}x{im.height}: too many "
                                      f"pixels; accepted: at most {rules.MAX_SIDE}x{rules.MAX_SIDE}")
                return np.asarray(im.convert("L"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(f"zip entry {name!r} is a decompression bomb ({exc}); accepted: images of "
                          f"at most {rules.MAX_SIDE}x{rules.MAX_SIDE}") from exc
    except UploadError:
        raise
    except Exception as exc:  # Pillow and zipfile raise many kinds on corrupt input
        why = "unrecognised format" if isinstance(exc, Image.UnidentifiedImageError) else exc
        raise UploadError(f"zip entry {name!r} is corrupt or not a PNG/JPEG image ({why}); "
                          "accepted: readable PNG or JPEG files") from exc


def read_zip(data: bytes):
    with open_zip(data, "the .zip") as zf:
        infos = zf.infolist()
        check_entries(infos)
        entries = [(i, c) for i in infos if (c := _entry_class(i.filename)) is not None]
        if not entries:
            raise UploadError("the .zip holds no images; accepted: PNG/JPEG images in class "
                              "folders, class_name/image.png")
        images, first = [], None
        for info, _ in entries:
            img = _read_image(zf, info)
            if first is None:
                first = (info.filename, img.shape)
                rules.image_shape((len(entries),) + img.shape)
            elif img.shape != first[1]:
                (h0, w0), (h, w) = first[1], img.shape
                raise UploadError(f"images of different sizes: {first[0]!r} is {w0}x{h0} but "
                                  f"{info.filename!r} is {w}x{h}; accepted: one size for all")
            images.append(img)
    return np.stack(images), np.array([c for _, c in entries], dtype=str)

