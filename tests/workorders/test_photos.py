"""Photos on work orders: only real, sane pictures are kept, re-encoded without metadata."""

import io
import pathlib
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from werkzeug.datastructures import FileStorage

from community.core.errors import Invalid
from community.workorders.models import WorkOrderPhoto
from community.workorders.photos import (
    MAX_EDGE,
    MAX_PHOTO_BYTES,
    THUMB_EDGE,
    discard,
    photo_file,
    store_photos,
)

NOT_A_PHOTO = "This file is not a photo. Use a JPEG, PNG, WebP or HEIC picture."
DAMAGED = "This photo is damaged or incomplete. Please take it again."
TOO_LARGE = "This photo is too large. Photos may be at most 10 MB each."
TOO_MANY = "Add at most 3 photos."
BOMB = "This picture is too large to open safely."


@pytest.fixture
def uploads(app, tmp_path):
    """The upload folder, inside an English request (the default language is Chinese)."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield tmp_path


def encode(image: Image.Image, format: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def upload(data: bytes, filename: str = "x.jpg", content_type: str = "image/jpeg", **kw):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type, **kw)


def photo(size=(120, 90), color="skyblue") -> FileStorage:
    return upload(encode(Image.new("RGB", size, color)))


def empty_input() -> FileStorage:
    # What a browser sends for a file input left empty.
    return upload(b"", filename="", content_type="application/octet-stream")


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of the given size: all black, so a few kilobytes compressed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(bytes((1 + (width + 7) // 8) * height), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def refused(uploads: pathlib.Path, files: list[FileStorage]) -> Invalid:
    """Assert the files are refused and nothing at all is left in the upload folder."""
    with pytest.raises(Invalid) as caught:
        store_photos(files, uploaded_by_id=1)
    assert caught.value.field == "photos"
    assert list(uploads.iterdir()) == []
    return caught.value


def stored(row: WorkOrderPhoto, thumbnail: bool = False) -> Image.Image:
    image = Image.open(io.BytesIO(photo_file(row, thumbnail=thumbnail).read_bytes()))
    assert image.format == "JPEG"
    return image


def test_a_text_file_named_jpg_is_not_a_photo(uploads):
    error = refused(uploads, [upload(b"Hello, this is not a picture.\n" * 20)])
    assert error.message == NOT_A_PHOTO


def test_other_picture_formats_are_refused(uploads):
    gif = encode(Image.new("P", (40, 40)), "GIF")
    error = refused(uploads, [upload(gif, filename="x.png", content_type="image/png")])
    assert error.message == NOT_A_PHOTO


def test_a_truncated_jpeg_is_damaged(uploads):
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"))
    error = refused(uploads, [upload(data[: len(data) // 2])])
    assert error.message == DAMAGED


@pytest.mark.parametrize(
    ("width", "height"),
    [(20000, 20000), (9000, 6000)],
    ids=["far-too-many-pixels", "a-few-too-many-pixels"],
)
def test_a_decompression_bomb_is_refused_before_decoding(uploads, width, height):
    # Pillow raises DecompressionBombError for the first, only warns for the second.
    data = bomb_png(width, height)
    assert len(data) < 100_000
    error = refused(uploads, [upload(data, filename="x.png", content_type="image/png")])
    assert error.message == BOMB


def test_an_oversized_file_is_refused_whatever_its_content_length_says(uploads):
    data = b"\xff\xd8\xff\xe0" + bytes(MAX_PHOTO_BYTES)
    error = refused(uploads, [upload(data, content_length=1000)])
    assert error.message == TOO_LARGE


def test_at_most_three_photos(uploads):
    error = refused(uploads, [photo() for _ in range(4)])
    assert error.message == TOO_MANY


def test_exif_and_gps_are_removed_and_the_photo_turned_upright(uploads):
    # A sideways 300x200 photo, red on the left, blue on the right, as a phone stores it.
    image = Image.new("RGB", (300, 200), "blue")
    image.paste("red", (0, 0, 150, 200))
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 12.0), 18: "WGS-84"})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(image, exif=exif, icc_profile=icc, comment=b"flat 3-502")
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8825)[2] == (31.0, 14.0, 5.5)  # the test photo has GPS
    assert b"WGS-84" in data
    assert b"PhoneMaker" in data

    [row] = store_photos([upload(data)], uploaded_by_id=7)

    assert row.uploaded_by_id == 7
    assert (row.width, row.height) == (200, 300)
    raw = photo_file(row).read_bytes()
    for marker in (b"Exif", b"GPS", b"WGS-84", b"PhoneMaker", b"flat 3-502", b"ICC_PROFILE"):
        assert marker not in raw
        assert marker not in photo_file(row, thumbnail=True).read_bytes()
    result = stored(row)
    assert not result.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & result.info.keys()
    assert result.size == (200, 300)
    # Upright: what was the left (red) is now the top.
    top, bottom = result.getpixel((100, 20)), result.getpixel((100, 280))
    assert top[0] > 200 > top[2]
    assert bottom[2] > 200 > bottom[0]


def transparent_png() -> bytes:
    image = Image.new("RGBA", (1000, 600), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (400, 200, 600, 400))
    return encode(image, "PNG")


def palette_png() -> bytes:
    image = Image.new("P", (1000, 600), 0)
    image.putpalette([0, 255, 0] + [0, 0, 0] * 255)
    image.paste(1, (400, 200, 600, 400))
    return encode(image, "PNG", transparency=0)


def transparent_webp() -> bytes:
    image = Image.new("RGBA", (1000, 600), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (400, 200, 600, 400))
    return encode(image, "WEBP", lossless=True)


def heic() -> bytes:
    image = Image.new("RGB", (1000, 600), "white")
    image.paste("black", (400, 200, 600, 400))
    return encode(image, "HEIF")


@pytest.mark.parametrize("make", [transparent_png, palette_png, transparent_webp, heic])
def test_png_webp_and_heic_become_jpeg_on_white(uploads, make):
    # Named and typed wrongly on purpose: only the content counts.
    [row] = store_photos([upload(make(), filename="photo.gif", content_type="text/plain")], 1)

    result = stored(row)
    assert result.mode == "RGB"
    assert result.size == (row.width, row.height) == (1000, 600)
    assert min(result.getpixel((10, 10))) > 245  # transparent: white, not black
    assert max(result.getpixel((500, 300))) < 20  # the opaque black square
    assert stored(row, thumbnail=True).size == (THUMB_EDGE, 192)


def test_a_big_photo_is_shrunk(uploads):
    [row] = store_photos([photo(size=(4000, 3000))], uploaded_by_id=1)

    assert (row.width, row.height) == (MAX_EDGE, 1536)
    assert stored(row).size == (MAX_EDGE, 1536)
    assert stored(row, thumbnail=True).size == (THUMB_EDGE, 240)


def test_a_small_photo_is_not_enlarged(uploads):
    [row] = store_photos([photo(size=(200, 150))], uploaded_by_id=1)

    assert stored(row).size == (200, 150)
    assert stored(row, thumbnail=True).size == (200, 150)


def test_one_bad_photo_stores_none(uploads):
    error = refused(uploads, [photo(), upload(b"not a photo"), photo()])
    assert error.message == NOT_A_PHOTO


def test_a_failing_disk_leaves_nothing_behind(uploads, monkeypatch):
    write_bytes = pathlib.Path.write_bytes
    writes = []

    def failing_write(path, data):
        writes.append(path)
        if len(writes) == 3:
            raise OSError("disk full")
        return write_bytes(path, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="disk full"):
        store_photos([photo(), photo()], uploaded_by_id=1)
    assert list(uploads.iterdir()) == []


def test_names_are_random_and_files_are_stored_under_them(uploads):
    rows = store_photos([photo(), photo(), photo()], uploaded_by_id=1)

    names = {row.stored_name for row in rows}
    assert len(names) == 3
    assert all(len(name) == 32 and int(name, 16) >= 0 for name in names)
    expected = {f"{name}{suffix}" for name in names for suffix in (".jpg", ".thumb.jpg")}
    assert {path.name for path in uploads.iterdir()} == expected
    assert all(row.order_id is None and row.id is None for row in rows)


def test_discard_removes_the_files(uploads):
    rows = store_photos([photo(), photo()], uploaded_by_id=1)
    assert len(list(uploads.iterdir())) == 4

    discard(rows)

    assert list(uploads.iterdir()) == []
    discard(rows)  # already gone: no error


def test_empty_inputs_are_ignored(uploads):
    assert store_photos([empty_input(), empty_input()], uploaded_by_id=1) == []
    assert list(uploads.iterdir()) == []

    files = [empty_input(), photo(), empty_input(), photo(), photo(), empty_input()]
    assert len(store_photos(files, uploaded_by_id=1)) == 3


def test_an_empty_file_with_a_name_is_not_a_photo(uploads):
    error = refused(uploads, [upload(b"", filename="x.jpg")])
    assert error.message == NOT_A_PHOTO


def test_photos_live_in_the_instance_folder_by_default(app):
    row = WorkOrderPhoto(stored_name="0123456789abcdef0123456789abcdef")
    with app.app_context():
        uploads = pathlib.Path(app.instance_path) / "uploads"
        assert photo_file(row) == uploads / "0123456789abcdef0123456789abcdef.jpg"
        assert photo_file(row, thumbnail=True) == uploads / f"{row.stored_name}.thumb.jpg"


def test_only_stored_names_become_paths(app):
    with app.app_context(), pytest.raises(ValueError, match="not a stored photo name"):
        photo_file(WorkOrderPhoto(stored_name="../../secret_key"))
