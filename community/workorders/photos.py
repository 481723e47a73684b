"""Photos on work orders: checked, stripped of metadata, shrunk and stored as JPEG files."""

import io
import re
import secrets
import struct
import warnings
from pathlib import Path

import pillow_heif
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from werkzeug.datastructures import FileStorage

from community.core.errors import Invalid
from community.workorders.models import WorkOrderPhoto

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # per photo
MAX_PHOTOS = 3  # per form submission
MAX_EDGE = 2048  # longest side of the stored photo
THUMB_EDGE = 320  # longest side of the thumbnail
# Phones' 48 and 50 megapixel modes (at most 8192 x 6144) must pass; more costs too much memory.
MAX_PIXELS = 8192 * 6144

# Only these decoders ever see an upload: Pillow's many other plugins are attack surface we don't
# need (EPS even runs Ghostscript). HEIF is what iPhones take photos in.
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we refuse both.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Embedded thumbnails, depth maps and auxiliary images are never shown, so are never parsed.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# What Pillow raises on broken files, as listed by its own fuzzing tests.
BROKEN = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)
BROKEN += (NotImplementedError, OverflowError)
TOO_BIG = (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError)

STORED_NAME = re.compile(r"[0-9a-f]{32}")


def store_photos(files: list[FileStorage], uploaded_by_id: int) -> list[WorkOrderPhoto]:
    """Validate, re-encode and write every photo; return unsaved WorkOrderPhoto rows
    (order_id unset). Empty file inputs (filename == '' and no content) are ignored.
    All-or-nothing: if any file is invalid, nothing stays written and Invalid(message,
    field="photos") is raised."""
    uploads = []
    for file in files:
        data = _read(file)
        if data is None:
            continue
        if len(uploads) == MAX_PHOTOS:
            raise Invalid(_("Add at most %(count)d photos.", count=MAX_PHOTOS), field="photos")
        uploads.append(data)
    # Every photo is checked and encoded before the first file is written, so a bad photo leaves
    # nothing behind; only a failing disk can interrupt the writing below.
    encoded = [_clean(data) for data in uploads]
    photos: list[WorkOrderPhoto] = []
    try:
        for photo, thumbnail, (width, height) in encoded:
            row = WorkOrderPhoto(
                uploaded_by_id=uploaded_by_id,
                stored_name=secrets.token_hex(16),
                width=width,
                height=height,
            )
            photos.append(row)
            path = photo_file(row)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(photo)
            photo_file(row, thumbnail=True).write_bytes(thumbnail)
    except BaseException:
        discard(photos)
        raise
    return photos


def discard(photos: list[WorkOrderPhoto]) -> None:
    """Delete the stored files of photos whose database transaction failed."""
    for photo in photos:
        photo_file(photo).unlink(missing_ok=True)
        photo_file(photo, thumbnail=True).unlink(missing_ok=True)


def photo_file(photo: WorkOrderPhoto, thumbnail: bool = False) -> Path:
    """Where the stored JPEG (or its thumbnail) is."""
    return stored_file(photo.stored_name, thumbnail)


def stored_file(stored_name: str, thumbnail: bool = False) -> Path:
    """Where the JPEG stored under this name (or its thumbnail) is."""
    # The name becomes part of a path: never let anything but our own random names through.
    if not STORED_NAME.fullmatch(stored_name or ""):
        raise ValueError(f"not a stored photo name: {stored_name!r}")
    folder = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    suffix = ".thumb.jpg" if thumbnail else ".jpg"
    return Path(folder) / f"{stored_name}{suffix}"


def store_picture(file: FileStorage) -> tuple[str, int, int] | None:
    """One picture that is not a work order's (an activity's cover), through the same checks
    and re-encoding: (stored name, width, height), or None for an empty file input. Invalid
    (field="photos") for a file that is not a photo, too large, or damaged; nothing written."""
    data = _read(file)
    if data is None:
        return None
    photo, thumbnail, (width, height) = _clean(data)
    stored_name = secrets.token_hex(16)
    path = stored_file(stored_name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(photo)
        stored_file(stored_name, thumbnail=True).write_bytes(thumbnail)
    except BaseException:
        discard_picture(stored_name)
        raise
    return stored_name, width, height


def discard_picture(stored_name: str) -> None:
    """Delete a picture stored by store_picture whose database transaction failed."""
    stored_file(stored_name).unlink(missing_ok=True)
    stored_file(stored_name, thumbnail=True).unlink(missing_ok=True)


def _read(file: FileStorage) -> bytes | None:
    """The file's bytes, or None for an empty file input; read with a limit, as the client's
    Content-Length may lie."""
    data = file.stream.read(MAX_PHOTO_BYTES + 1)
    if not data and not file.filename:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        max_mb = MAX_PHOTO_BYTES // (1024 * 1024)
        raise Invalid(
            _("This photo is too large. Photos may be at most %(max)d MB each.", max=max_mb),
            field="photos",
        )
    return data


def _clean(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """The photo and its thumbnail as JPEG bytes, and the photo's size."""
    try:
        # Scoped to this block; the explicit size check below still holds should another thread
        # reset the warning filters meanwhile (catch_warnings is process-wide).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # The real type comes from the content, never from the file name or content type.
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                probe.verify()
            # verify() leaves the image unusable, so it is opened again to decode it.
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                # JPEGs can decode at 1/2, 1/4 or 1/8 size straight away: far less memory.
                image.draft("RGB", (MAX_EDGE, MAX_EDGE))
                image.load()
                # Phones store photos sideways plus an orientation tag that we are about to drop.
                upright = ImageOps.exif_transpose(image)
                rgb = _on_white(upright)
    except Image.UnidentifiedImageError:
        raise Invalid(
            _("This file is not a photo. Use a JPEG, PNG, WebP or HEIC picture."), field="photos"
        ) from None
    except TOO_BIG:
        raise Invalid(_("This picture is too large to open safely."), field="photos") from None
    except BROKEN:
        # Truncated files land here too: Pillow refuses them unless LOAD_TRUNCATED_IMAGES is set.
        raise Invalid(
            _("This photo is damaged or incomplete. Please take it again."), field="photos"
        ) from None
    rgb.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    # A new image built from the pixels alone: no EXIF, GPS, ICC profile, XMP or comment can ride
    # along (Pillow's JPEG writer would copy a comment from the source's info, for one).
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return _jpeg(clean, quality=85), _jpeg(thumbnail, quality=80), clean.size


def _on_white(image: Image.Image) -> Image.Image:
    """The image in RGB; transparent parts become white, as JPEG has no transparency."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
