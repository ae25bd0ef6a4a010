"""Attachments: the malware-scanner seam and the check every uploaded file passes before anything keeps it
(size, scan, type by content; engine.forms has the file field type).

A municipality connects its scanner with the setting ``AMTSWEG_ATTACHMENT_SCANNER``:
- ``"clamd:HOST:PORT"`` or ``"clamd:/path/to/clamd.sock"``: a ClamAV daemon, asked over its INSTREAM protocol;
- ``"package.module:name"``: ``name`` is a class or factory, called without arguments, whose object offers
  ``scan(content: bytes) -> Verdict``.
A scanner that raises or answers anything but a Verdict counts as failed, and the file is refused (never
accepted unscanned). The built-in scanner (``"builtin"``) finds only EICAR's test signature: a seam for tests
and demos, no protection, so production refuses it (Settings.check)."""
from __future__ import annotations

import importlib
import socket
import struct
from dataclasses import dataclass
from typing import Protocol

from engine import forms

# EICAR's anti-virus test file (eicar.org), the signature every scanner reports
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass(frozen=True)
class Verdict:
    clean: bool
    finding: str | None = None  # what the scanner found, for the message


class Scanner(Protocol):
    def scan(self, content: bytes) -> Verdict: ...


class BuiltinScanner:
    def scan(self, content: bytes) -> Verdict:
        return Verdict(False, "EICAR-Testsignatur") if EICAR in content else Verdict(True)


class ScannerSettingInvalid(ValueError):
    pass


class ClamdScanner:
    """ClamAV's daemon over INSTREAM (clamd(8)): the content in chunks, then ``stream: OK`` or
    ``stream: <signature> FOUND``; anything else (a size limit, an error) raises, so the file is refused."""

    CHUNK = 64 * 1024
    TIMEOUT_SECONDS = 30

    def __init__(self, address: str):
        self.address = address

    def scan(self, content: bytes) -> Verdict:
        with self._connect() as conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), self.CHUNK):
                chunk = content[start:start + self.CHUNK]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0") and len(answer) < 4096:
                part = conn.recv(4096)
                if not part:
                    break
                answer += part
        reply = answer.rstrip(b"\0").decode("utf-8", "replace")
        if reply == "stream: OK":
            return Verdict(True)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return Verdict(False, reply[len("stream: "):-len(" FOUND")])
        raise ConnectionError(f"clamd answered {reply[:200]!r}")

    def _connect(self) -> socket.socket:
        if self.address.startswith("/"):
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(self.TIMEOUT_SECONDS)
            conn.connect(self.address)
            return conn
        host, _, port = self.address.rpartition(":")
        return socket.create_connection((host, int(port)), timeout=self.TIMEOUT_SECONDS)


def load_scanner(name: str) -> Scanner:
    """The scanner the setting names ("builtin", "clamd:HOST:PORT", "clamd:/socket" or "package.module:name")."""
    if name == "builtin":
        return BuiltinScanner()
    if name.startswith("clamd:"):
        address = name[len("clamd:"):]
        host, _, port = address.rpartition(":")
        if not (address.startswith("/") or (host and port.isdigit() and 0 < int(port) < 65536)):
            raise ScannerSettingInvalid(f"AMTSWEG_ATTACHMENT_SCANNER „{name}“: erwartet wird „clamd:RECHNER:PORT“ "
                                        "oder „clamd:/pfad/zum/clamd.sock“.")
        return ClamdScanner(address)
    module, _, attribute = name.partition(":")
    try:
        scanner = getattr(importlib.import_module(module), attribute)()
    except (ImportError, AttributeError, TypeError, ValueError) as err:
        raise ScannerSettingInvalid(f"AMTSWEG_ATTACHMENT_SCANNER „{name}“ lässt sich nicht laden ({err}); erwartet "
                                    "wird „builtin“ oder „paket.modul:Name“.") from None
    if not callable(getattr(scanner, "scan", None)):
        raise ScannerSettingInvalid(f"AMTSWEG_ATTACHMENT_SCANNER „{name}“ bietet keine Methode scan(bytes).")
    return scanner


def check_upload(node: dict, content: bytes, scanner: Scanner, max_file_bytes: int) -> tuple[str | None, str | None]:
    """A file for a file field: its media type (by content) and None, or None and the German problem
    (without label). Too large first (not worth scanning), then the scan, then the type."""
    problem = forms.file_size_problem(node, len(content), max_file_bytes)
    if problem:
        return None, problem
    try:
        verdict = scanner.scan(content)
    except Exception:  # noqa: BLE001 (whatever the municipality's scanner raises: refuse, never accept unscanned)
        verdict = None
    if not isinstance(verdict, Verdict):
        return None, ("Die Datei konnte gerade nicht auf Schadsoftware geprüft werden und wurde deshalb nicht "
                      "angenommen. Bitte versuchen Sie es in einigen Minuten erneut.")
    if not verdict.clean:
        found = f" (Befund: {str(verdict.finding)[:80]})" if verdict.finding else ""
        return None, (f"Die Virenprüfung hat in der Datei Schadsoftware gefunden{found}; sie wurde nicht "
                      "angenommen. Bitte prüfen Sie Ihr Gerät und laden Sie eine saubere Datei hoch.")
    return forms.file_type_problem(node, content)
