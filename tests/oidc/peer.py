"""A real OpenID provider on loopback: panva/oidc-provider (pinned in package-lock.json) run by
Node.js. ``npm ci`` installs it from the npm registry when node_modules is missing."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
START_SECONDS = 30


def node_or_skip() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js/npm fehlen: der OpenID-Provider der Tests (tests/oidc/provider.js) braucht sie")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run([npm, "ci", "--registry=https://registry.npmjs.org/", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")
    return node


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Peer:
    issuer: str
    process: subprocess.Popen
    output: list[str]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(*args: str) -> Peer:
    node = node_or_skip()
    port = free_port()
    process = subprocess.Popen([node, "provider.js", str(port), *args], cwd=HERE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    ready = threading.Event()

    def read():
        for line in process.stdout:
            output.append(line.rstrip())
            if line.startswith("ready "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_SECONDS):
        process.kill()
        raise RuntimeError("oidc-provider did not start:\n" + "\n".join(output))
    return Peer(f"http://127.0.0.1:{port}", process, output)
