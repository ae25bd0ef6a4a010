"""The ClamAV seam against a real clamd on loopback (Debian's clamav-daemon), with a signature database
of its own that knows EICAR's test file: found alone and inside a PDF, a clean file passes, a daemon that
is away refuses the file, and production will not start with the built-in scanner."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import replace

import pytest

from processes.attachments import ClamdScanner, ScannerSettingInvalid, Verdict, load_scanner
from processes.bootstrap import bootstrap
from tests.conftest import TEST_PLUGINS, login
from tests.processes.files import EICAR, PDF, upload
from tests.processes.test_attachments_e2e import field_error, post_application
from tests.processes.test_hundesteuer import clock  # noqa: F401  (fixture used by name)
from webui import create_app

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
pytestmark = pytest.mark.skipif(not shutil.which(CLAMD), reason="clamd fehlt (make setup installiert clamav-daemon)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A ClamAV daemon of the test's own, TCP on loopback and a Unix socket."""
    home = tmp_path_factory.mktemp("clamd")
    (home / "db").mkdir()
    (home / "db" / "amtsweg.ndb").write_text(f"Amtsweg.Eicar-Test:0:*:{EICAR.hex()}\n")
    port = _free_port()
    config = home / "clamd.conf"
    config.write_text(f"Foreground yes\nTCPSocket {port}\nTCPAddr 127.0.0.1\nLocalSocket {home / 'clamd.sock'}\n"
                      f"DatabaseDirectory {home / 'db'}\nLogFile {home / 'clamd.log'}\nStreamMaxLength 30M\n")
    daemon = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        daemon.kill()
        pytest.fail(f"clamd did not start: {(home / 'clamd.log').read_text()[-500:]}")
    yield {"tcp": f"clamd:127.0.0.1:{port}", "unix": f"clamd:{home / 'clamd.sock'}"}
    daemon.terminate()
    daemon.wait(timeout=10)


@pytest.mark.parametrize("via", ["tcp", "unix"])
def test_clamd_finds_eicar_alone_and_inside_a_pdf_and_passes_a_clean_file(clamd, via):
    scanner = load_scanner(clamd[via])
    assert scanner.scan(PDF) == Verdict(True)
    assert scanner.scan(EICAR) == Verdict(False, "Amtsweg.Eicar-Test.UNOFFICIAL")
    assert not scanner.scan(PDF[:20] + EICAR + PDF[20:]).clean
    assert scanner.scan(b"") == Verdict(True)


def test_an_application_with_eicar_is_refused_over_http_and_a_clean_one_kept(clamd, office, settings, clock):  # noqa: F811
    office.deploy("hundesteuer")
    scanned = bootstrap(replace(settings, attachment_scanner=clamd["tcp"]), plugins=TEST_PLUGINS, clock=clock)
    try:
        citizen = login(create_app(scanned, {"TESTING": True}), "erika")
        message = field_error(post_application(citizen, {"erlaubnis_datei": upload(PDF[:20] + EICAR, "erlaubnis.pdf")}))
        assert "Die Virenprüfung hat in der Datei Schadsoftware gefunden (Befund: Amtsweg.Eicar-Test.UNOFFICIAL)" in message
        assert scanned.cases.draft("plauen", "erika", "hundesteuer") is None
        kept = post_application(citizen, {"erlaubnis_datei": upload(PDF, "erlaubnis.pdf")})
        assert kept.status_code == 302
        [record] = scanned.cases.draft("plauen", "erika", "hundesteuer")["erlaubnis_datei"]
        assert record["name"] == "erlaubnis.pdf"
    finally:
        scanned.close()


def test_a_clamd_that_is_away_refuses_the_file():
    with pytest.raises(OSError):
        ClamdScanner(f"127.0.0.1:{_free_port()}").scan(PDF)


@pytest.mark.parametrize("setting", ["clamd:", "clamd:localhost", "clamd:localhost:99999", "clamd:rechner:port"])
def test_an_unusable_clamd_setting_is_refused_in_german(setting):
    with pytest.raises(ScannerSettingInvalid, match="clamd:RECHNER:PORT"):
        load_scanner(setting)
