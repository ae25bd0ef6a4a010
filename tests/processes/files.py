"""Small real files for attachment tests: a PDF, a PNG and a JPEG with their true signatures, and EICAR's
anti-virus test file."""
from __future__ import annotations

import io
import struct
import zlib

from processes.attachments import EICAR

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n" \
      b"trailer <</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
TEXT = b"Dies ist keine PDF-Datei, nur Text.\n"


def png(width: int = 1, height: int = 1, padding: int = 0) -> bytes:
    """A valid PNG image (grey pixels); ``padding`` bytes of an ancillary chunk make it larger."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + extra
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload(content: bytes, name: str) -> tuple:
    """A file as the Flask test client posts it in a multipart form."""
    return (io.BytesIO(content), name)


__all__ = ["EICAR", "JPEG", "PDF", "TEXT", "attached", "png", "upload"]


def attached(office, data: dict, field: str, owner: str = "erika", tenant: str = "plauen", content: bytes = PDF,
             name: str = "nachweis.pdf") -> dict:
    """The application with a file staged for ``field`` as the portal stages an upload (checked files only)."""
    record = office.system("efile").stage_attachment(tenant, owner, field, field, name, "application/pdf", content)
    return {**data, field: [record]}
