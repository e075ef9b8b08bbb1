"""A streaming reader for the upload form: small text fields first, then one file, never buffered.

Starlette's `request.form()` reads the whole body before the route runs; an evidence upload
instead reads the fields that precede the file (the CSRF token first), lets the route check them,
then hands out the file's bytes chunk by chunk as they arrive. Fields after the file are ignored,
so forms put the file input last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.errors import InvalidInput

MAX_FIELDS = 20
MAX_FIELD_BYTES = 4096


class StreamingForm:
    """Parse a multipart/form-data body from an iterator of raw chunks."""

    def __init__(self, content_type: str, body: Iterator[bytes]) -> None:
        kind, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise InvalidInput("Send the file as a multipart/form-data upload.")
        self._body = body
        self._events: list[tuple[str, Any]] = []
        self._parser = MultipartParser(boundary, self._callbacks())
        self._header_field = b""
        self._header_value = b""
        self.fields: dict[str, str] = {}
        self.filename: str | None = None

    def _callbacks(self) -> dict[str, Any]:
        events = self._events

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._header_field += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._header_value += data[start:end]

        def on_header_end() -> None:
            events.append(("header", (self._header_field.lower(), self._header_value)))
            self._header_field = self._header_value = b""

        return {
            "on_part_begin": lambda: events.append(("begin", None)),
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": lambda: events.append(("headers_done", None)),
            "on_part_data": lambda data, start, end: events.append(("data", data[start:end])),
            "on_part_end": lambda: events.append(("end", None)),
            "on_end": lambda: events.append(("finished", None)),
        }

    def _next_events(self) -> bool:
        """Feed the parser one more raw chunk; False once the body is exhausted."""
        for chunk in self._body:
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise InvalidInput("The upload is not a well-formed form submission.") from None
            return True
        return False

    def read_until_file(self) -> tuple[dict[str, str], str | None]:
        """Read the text fields up to the file part; returns them and the file's name (or None)."""
        part_name: str | None = None
        part_filename: str | None = None
        value = bytearray()
        in_part = False
        while True:
            while self._events:
                event, payload = self._events.pop(0)
                if event == "begin":
                    part_name, part_filename, value, in_part = None, None, bytearray(), True
                elif event == "header" and payload[0] == b"content-disposition":
                    _, params = parse_options_header(payload[1])
                    part_name = _text(params.get(b"name"))
                    raw_filename = params.get(b"filename")
                    part_filename = None if raw_filename is None else _text(raw_filename)
                elif event == "headers_done" and part_filename is not None:
                    if part_filename == "":  # an empty file input: no file chosen
                        continue
                    self.filename = part_filename
                    return self.fields, self.filename
                elif event == "data" and in_part and part_filename is None:
                    value += payload
                    if len(value) > MAX_FIELD_BYTES:
                        raise InvalidInput(f"The form field “{part_name}” is too long.")
                elif event == "end" and in_part:
                    in_part = False
                    if part_filename is None and part_name:
                        if len(self.fields) >= MAX_FIELDS:
                            raise InvalidInput("The upload form has too many fields.")
                        self.fields[part_name] = value.decode("utf-8", errors="replace")
                elif event == "finished":
                    return self.fields, None
            if not self._next_events():
                return self.fields, None

    def file_chunks(self) -> Iterator[bytes]:
        """The file's bytes as they arrive; raises if the body ends before the file does."""
        if self.filename is None:
            return
        while True:
            while self._events:
                event, payload = self._events.pop(0)
                if event == "data":
                    yield payload
                elif event in ("end", "finished"):
                    self._events.clear()
                    return
            if not self._next_events():
                raise InvalidInput(
                    "The upload ended before the file was complete. Check the connection and "
                    "upload it again."
                )


def _text(raw: bytes | None) -> str | None:
    """Header parameters arrive as raw bytes (browsers send UTF-8 names)."""
    if raw is None:
        return None
    return raw.decode("utf-8", errors="replace")
