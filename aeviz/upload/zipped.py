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

from ..i18n import Msg
from . import rules
from .rules import UploadError

IMAGE_EXTS = (".png", ".jpg", ".jpeg")
ARCHIVE_EXTS = (".zip", ".npz", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz4",
                ".jar", ".cab", ".iso", ".z")
IGNORED_NAMES = ("thumbs.db", "desktop.ini")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
              ValueError)  # what zipfile raises on forged offsets and streams


def open_zip(data: bytes, what: Msg) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_ERRORS, zipfile.LargeZipFile) as exc:
        raise UploadError(Msg("upload.zip.invalid", what=what, err=str(exc))) from exc


def check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Entry count, unique names, plain deflate or stored members, then the size caps.

    zipfile stops a deflated member at its declared size (and then fails its CRC), so the declared
    sizes checked here bound what is decompressed; bzip2 and LZMA members are not bounded that way.
    """
    if len(infos) > rules.MAX_ZIP_ENTRIES:
        raise UploadError(Msg("upload.zip.too_many_entries", n=len(infos), max=rules.MAX_ZIP_ENTRIES))
    seen = set()
    for info in infos:
        if info.filename in seen:
            raise UploadError(Msg("upload.zip.duplicate", name=info.filename))
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UploadError(Msg("upload.zip.encrypted", name=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(Msg("upload.zip.method", name=info.filename, method=str(info.compress_type)))
    _check_zip_sizes(infos)


def _check_zip_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Caps on the total declared size and on compression ratios (zip bombs)."""
    total = sum(i.file_size for i in infos)
    if total > rules.MAX_UNCOMPRESSED:
        raise UploadError(Msg("upload.zip.too_big", total=total, max=rules.MAX_UNCOMPRESSED,
                              max_mb=rules.MAX_UNCOMPRESSED / rules.MB))
    packed = sum(i.compress_size for i in infos)
    for name, size, comp in [(i.filename, i.file_size, i.compress_size) for i in infos] + \
            [(Msg("upload.what.whole_archive"), total, packed)]:
        if size > rules.RATIO_FLOOR and size > rules.MAX_RATIO * max(comp, 1):
            raise UploadError(Msg("upload.zip.bomb", name=name, ratio=size / max(comp, 1), size=size, packed=comp,
                                  max=rules.MAX_RATIO))


def _entry_class(name: str) -> str | None:
    """The class folder of a zip entry, None for entries to ignore; refuses unsafe or foreign ones."""
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise UploadError(Msg("upload.zip.absolute", name=name))
    if ".." in parts:
        raise UploadError(Msg("upload.zip.dotdot", name=name))
    base = parts[-1].lower()
    if not base or parts[0] == "__MACOSX" or base.startswith(".") or base in IGNORED_NAMES:
        return None  # folders, macOS resource forks, hidden and system files
    if base.endswith(ARCHIVE_EXTS):
        raise UploadError(Msg("upload.zip.nested", name=name))
    if not base.endswith(IMAGE_EXTS):
        raise UploadError(Msg("upload.zip.not_image", name=name))
    if len(parts) < 2 or not parts[-2]:
        raise UploadError(Msg("upload.zip.no_folder", name=name))
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
                    raise UploadError(Msg("upload.zip.image_too_big", name=name, w=im.width, h=im.height,
                                          max=rules.MAX_SIDE))
                return np.asarray(im.convert("L"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(Msg("upload.zip.image_bomb", name=name, err=str(exc), max=rules.MAX_SIDE)) from exc
    except UploadError:
        raise
    except Exception as exc:  # Pillow and zipfile raise many kinds on corrupt input
        why = Msg("upload.zip.unrecognised") if isinstance(exc, Image.UnidentifiedImageError) else str(exc)
        raise UploadError(Msg("upload.zip.image_corrupt", name=name, err=why)) from exc


def read_zip(data: bytes):
    with open_zip(data, Msg("upload.what.zip")) as zf:
        infos = zf.infolist()
        check_entries(infos)
        entries = [(i, c) for i in infos if (c := _entry_class(i.filename)) is not None]
        if not entries:
            raise UploadError(Msg("upload.zip.no_images"))
        images, first = [], None
        for info, _ in entries:
            img = _read_image(zf, info)
            if first is None:
                first = (info.filename, img.shape)
                rules.image_shape((len(entries),) + img.shape)
            elif img.shape != first[1]:
                (h0, w0), (h, w) = first[1], img.shape
                raise UploadError(Msg("upload.zip.sizes_differ", first=first[0], w0=w0, h0=h0, name=info.filename,
                                      w=w, h=h))
            images.append(img)
    return np.stack(images), np.array([c for _, c in entries], dtype=str)

