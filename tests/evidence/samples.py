"""Real little files of every accepted type, and the bad ones uploads must refuse."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from reportlab.pdfgen.canvas import Canvas


def pdf_bytes(text: str = "Evidence") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def office_bytes(part: str) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b"<Relationships/>",
            f"{part}/document.xml": b"<document/>",
        }
    )


def zip_bomb_ratio() -> bytes:
    """20 MiB of zeros in a few KiB: far beyond the allowed compression ratio."""
    return zip_bytes({"zeros.bin": bytes(20 * 1024 * 1024)})


def zip_bomb_entries() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for n in range(10_001):
            archive.writestr(f"f{n}.txt", b"")
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
