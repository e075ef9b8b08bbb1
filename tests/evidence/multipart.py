"""Build multipart/form-data bodies the way browsers do, in a chosen field order."""

from __future__ import annotations

BOUNDARY = "----AssayTestBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(parts: list[tuple[str, str | tuple[str, bytes]]], *, close: bool = True) -> bytes:
    """`parts`: (name, text value) or (name, (filename, bytes)), in order."""
    body = b""
    for name, value in parts:
        body += f"--{BOUNDARY}\r\n".encode()
        if isinstance(value, tuple):
            filename, data = value
            body += (
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode() + data
        else:
            body += f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()
        body += b"\r\n"
    if close:
        body += f"--{BOUNDARY}--\r\n".encode()
    return body
