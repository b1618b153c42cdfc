"""Small files of each kind an attachment test needs, made here (nothing downloaded)."""

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def jpeg(size=(640, 480), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        # 29°59'N 108°06'E: the position a phone camera writes into the photo.
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 59.0, 0.0), 3: "E", 4: (108.0, 6.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def heic(size=(320, 240), gps: bool = False) -> bytes:
    """A real HEIC photo (pillow-heif encodes it), with the camera's EXIF and GPS."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 59.0, 0.0), 3: "E", 4: (108.0, 6.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif.tobytes())
    return out.getvalue()


def png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 30_000) -> bytes:
    """A PNG that declares side×side pixels (900 megapixels) in a few hundred bytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * side
    body = zlib.compress(row * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def mp3() -> bytes:
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400


def wav() -> bytes:
    data = b"\x00\x00" * 800
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp4(brand: bytes = b"isom") -> bytes:
    ftyp = b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"mp41"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"mdat"


def webm() -> bytes:
    return (
        b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm"
        + b"\x00" * 64
    )


def ogg() -> bytes:
    return b"OggS\x00\x02" + b"\x00" * 200


def zip_archive() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>fetch('/api/v1/cases')</script></svg>"
)
HTML_PAGE = b"<!DOCTYPE html><html><body>hello</body></html>"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
