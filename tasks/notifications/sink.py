"""A local SMTP server that keeps what it receives, for the demo and the tests (no mail
leaves the machine). Production points AMTSWEG_SMTP_HOST/PORT at a real server instead."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class MailSink:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None, folder: Path | None = None):
        self.host, self.port, self.folder = host, port or _free_port(host), folder
        self.messages: list[EmailMessage] = []
        self._controller = Controller(self, hostname=host, port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{len(self.messages):05d}.eml").write_bytes(envelope.content)
        return "250 Message accepted"

    def start(self) -> "MailSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
