"""The streaming form reader: fields before the file, then the file's bytes as they arrive."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.evidence.formdata import StreamingForm
from tests.evidence.multipart import CONTENT_TYPE, multipart


def byte_by_byte(body: bytes):
    for i in range(len(body)):
        yield body[i : i + 1]


@pytest.mark.parametrize(
    "split", [byte_by_byte, lambda b: iter([b]), lambda b: iter([b[:97], b[97:]])]
)
def test_fields_then_the_file_whatever_the_chunking(split):
    data = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    body = multipart(
        [
            ("csrf_token", "tok-123"),
            ("title", "Política de IA"),
            ("file", ("Politica – IA.pdf", data)),
            ("after", "ignored"),
        ]
    )
    form = StreamingForm(CONTENT_TYPE, split(body))

    fields, filename = form.read_until_file()

    assert fields == {"csrf_token": "tok-123", "title": "Política de IA"}
    assert filename == "Politica – IA.pdf"
    assert b"".join(form.file_chunks()) == data


def test_the_file_is_not_read_before_it_is_asked_for():
    pulled = []

    def body():
        raw = multipart([("csrf_token", "t"), ("file", ("a.txt", b"z" * 10_000))])
        for i in range(0, len(raw), 100):
            pulled.append(i)
            yield raw[i : i + 100]

    form = StreamingForm(CONTENT_TYPE, body())
    form.read_until_file()
    assert len(pulled) <= 3  # the fields and the file's headers, not its 10 kB


def test_a_body_cut_off_inside_the_file_is_an_error():
    body = multipart([("file", ("a.txt", b"partial content"))], close=False)
    body = body[: body.index(b"partial") + 7]
    form = StreamingForm(CONTENT_TYPE, iter([body]))
    form.read_until_file()
    with pytest.raises(InvalidInput, match="ended before the file was complete"):
        b"".join(form.file_chunks())


def test_an_empty_file_input_means_no_file():
    form = StreamingForm(
        CONTENT_TYPE, iter([multipart([("csrf_token", "t"), ("file", ("", b""))])])
    )
    assert form.read_until_file() == ({"csrf_token": "t"}, None)


def test_oversized_fields_are_refused():
    form = StreamingForm(CONTENT_TYPE, iter([multipart([("title", "x" * 5000)])]))
    with pytest.raises(InvalidInput, match="too long"):
        form.read_until_file()


def test_other_content_types_are_refused():
    with pytest.raises(InvalidInput, match="multipart/form-data"):
        StreamingForm("application/json", iter([b"{}"]))
