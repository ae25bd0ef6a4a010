"""The studio in Debian's Chromium (Playwright, no browser download): the modeler shows the diagram with the
German palette, a service task's operation select, a located check message, and no CSP violation."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.repository import read_paths
from tests.conftest import MODELS
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")
BUNDLE = Path(__file__).resolve().parent.parent / "webui/static/studio/studio.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CSP_LISTENER = """window.__csp = []; document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample || '') + ' ' + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : '')), true);"""

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not BUNDLE.is_file(), reason="Der Modeler ist nicht gebaut (make setup baut ihn mit npm)."),
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="Chromium fehlt (/usr/bin/chromium)."),
    pytest.mark.parametrize("db", ["sqlite"], indirect=True),  # the browser is under test here, not the database
]


@pytest.fixture
def server(installation):
    installation.engine.repository.deploy(read_paths([MODELS / "hundesteuer"]), name="hundesteuer")
    app = create_app(installation, {"TESTING": True, "WTF_CSRF_ENABLED": True})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def open_modeler(browser, server, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.add_init_script(CSP_LISTENER)
    page.goto(f"{server}/anmelden")
    page.check("#u_gestaltung")
    page.click("button[type=submit] >> text=Anmelden")
    page.goto(f"{server}/studio/hundesteuer_anmeldung/")
    page.wait_for_selector(".djs-element[data-element-id=notify_received]")
    return page, errors


@pytest.mark.parametrize("width,height", [(1280, 800), (320, 640)])
def test_modeler_shows_the_diagram_german_palette_and_the_operation_select(server, browser, tmp_path, width, height):
    page, errors = open_modeler(browser, server, width, height)
    assert page.get_attribute(".djs-palette .entry.bpmn-icon-task", "aria-label") == "Aufgabe erzeugen"
    assert page.get_attribute(".djs-palette .entry.bpmn-icon-hand-tool", "aria-label") == "Hand-Tool aktivieren"
    page.evaluate("""() => { const m = window.studio.modeler;
                     m.get('canvas').scrollToElement(m.get('elementRegistry').get('notify_received')); }""")
    page.click(".djs-element[data-element-id=notify_received]")
    assert page.inner_text(".bio-properties-panel-header-type").lower() == "serviceaufgabe"
    page.click('[data-group-id="group-amtsweg"] .bio-properties-panel-group-header')
    select = page.locator('[data-group-id="group-amtsweg"] select').first
    assert select.input_value() == "portal.notify"
    assert select.locator("option", has_text="documents.render").count() == 1
    assert "Operation" in page.inner_text('[data-group-id="group-amtsweg"]')
    page.screenshot(path=str(tmp_path / f"modeler-{width}.png"))

    select.select_option("")  # no operation: the check reports it on the task
    page.click("#studio-check")
    page.wait_for_selector(".studio-problem-marker")
    assert "1 Fehler" in page.inner_text("#studio-status")
    page.click("#studio-canvas")  # away from the task
    page.click(".studio-problem-link")
    selected = page.evaluate("window.studio.modeler.get('selection').get().map(e => e.id)")
    assert selected == ["notify_received"]
    page.screenshot(path=str(tmp_path / f"check-{width}.png"))
    page.evaluate("""() => { const m = window.studio.modeler, reg = m.get('elementRegistry');
                     m.get('selection').select([reg.get('notify_received'), reg.get('render_receipt')]); }""")
    page.wait_for_selector(".djs-context-pad .entry[data-action=align-elements]")  # its icons are inline SVG
    assert page.evaluate("window.__csp") == [] and errors == []


def test_deploying_the_modelers_own_serialisation_changes_no_element(server, browser):
    page, errors = open_modeler(browser, server, 1280, 800)
    page.click("#studio-deploy")
    expect = playwright.expect
    expect(page.locator("#studio-status")).to_have_text("Version 2 ist bereitgestellt und gilt für neue Anträge.")
    page.goto(f"{server}/studio/hundesteuer_anmeldung/versionen")
    rows = page.locator("tbody tr")
    assert "Paula Grün (Prozessgestaltung)" in rows.nth(0).inner_text()
    assert "keine Änderung an den Elementen" in rows.nth(0).inner_text()  # layout and formatting are no change
    assert page.evaluate("window.__csp") == [] and errors == []
