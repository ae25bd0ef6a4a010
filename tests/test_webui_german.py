"""Citizens, clerks and operators read German, never program internals: every page of the portal,
the worklist and the operator area, crawled as each role sees it for a case of each service at a
clerk's task and one that has ended, shows no True/False/None, no ISO date, no key or code of the
process data, no service key or group id, no English state name."""
from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from engine.clock import ManualClock
from processes.catalog import MODELS, services
from tests.conftest import login
from tests.processes.conftest import Office, application
from tests.processes.files import PDF, upload
from tests.processes.test_bewohnerparken import application as parking_application
from tests.processes.test_gewerbe import notice
from tests.processes.test_hundesteuer import anmeldung
from tests.processes.test_hundesteuer_abmeldung import abmeldung
from webui import create_app
from webui.auth import DEMO_USERS
from webui.forms import flatten

AREAS = {"erika": ("/portal",), "sb.plauen": ("/arbeit",), "st.plauen": ("/arbeit",), "sv.plauen": ("/arbeit",),
         "gw.plauen": ("/arbeit",), "betrieb": ("/betrieb",)}
DOWNLOADS = ("application/pdf", "text/csv", "application/json")  # files for other programs, not pages
ENGLISH_STATES = ("waiting", "ready", "completed", "cancelled", "error", "running", "open", "failed", "pending",
                  "suspended")
PLAIN = [
    (re.compile(r"\b(True|False|None)\b"), "Python-Wert"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "ISO-Datum"),
    (re.compile(r"\b(" + "|".join(ENGLISH_STATES) + r")\b", re.IGNORECASE), "englischer Zustand"),
    (re.compile(r"\(portal\)"), "Kanal-Schlüssel"),
    (re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b"), "Bezeichner"),
]
CODE = re.compile(r"[a-z][a-z0-9_]*")
LABELS = {"title", "description", "label", "heading", "text", "missing", "enumTitles", "values", "label_values"}


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def office(installation):
    installation.seed_demo()
    office = Office(installation)
    for key in ("standesamt", "hundesteuer", "bewohnerparken", "gewerbe"):
        office.deploy(key)
    return office


@pytest.fixture
def app(office):
    return create_app(office.installation, {"TESTING": True})


def form_of(data: dict) -> dict:
    """What a browser posts: ticked boxes as "on", unticked ones not at all."""
    return {k: ("on" if v is True else str(v)) for k, v in flatten(data).items() if v is not False and v is not None}


def declaration() -> dict:
    """The holder's declaration a company car's application carries (a fresh upload per post)."""
    return {"halter_erklaerung_datei": upload(PDF, "Erklaerung Halter.pdf")}


def apply(citizen, office, service_key: str, data: dict, files: dict | None = None) -> str:
    assert citizen.post(f"/portal/{service_key}/antrag", data={**form_of(data), **(files or {})}).status_code == 302
    submitted = citizen.post(f"/portal/{service_key}/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()
    return case_number


@pytest.fixture
def signed_in(app):
    """user -> a client signed in as that demo user (signed in once: sign-ins are rate limited)."""
    clients = {}

    def client(user: str):
        if user not in clients:
            clients[user] = login(app, user)
        return clients[user]

    return client


def decide(signed_in, office, clerk: str, case_number: str, decision: dict) -> None:
    task = office.task(case_number)
    assert signed_in(clerk).post(f"/arbeit/{task.id}", data=decision).status_code == 302
    office.run()


@pytest.fixture
def cases(signed_in, office) -> dict[str, tuple[str, str]]:
    """Service key -> (a case at a clerk's task, a case that has ended); the letters of the ended
    ones posted, the others' left in the outbox; a draft of each service waiting for review."""
    citizen = signed_in("erika")
    dog = anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Hütehund für meine 80 Schafe",
                    sepa_lastschrift=True, iban="DE89 3704 0044 0532 0130 00", kontoinhaber="Erika Neumann")
    company_car = parking_application(strasse="Bahnhofstraße 40", kennzeichen="PL-VL 500", halter="firmenwagen",
                                      halter_name="Vogtland Logistik GmbH", halter_erklaerung=True)
    craft = notice(**{"betrieb.name": "Salon Schnittig", "betrieb.art": "handwerk", "taetigkeit": "Friseursalon",
                      "wz": "96021"})
    found = {
        "standesamt": (apply(citizen, office, "standesamt", application(anzahl=2)),
                       apply(citizen, office, "standesamt", application())),
        "hundesteuer": (apply(citizen, office, "hundesteuer", dog),
                        apply(citizen, office, "hundesteuer", {**dog, "hund_name": "Rex", "chipnummer": "276098106543211"})),
        "bewohnerparken": (apply(citizen, office, "bewohnerparken", company_car, declaration()),
                           apply(citizen, office, "bewohnerparken", company_car, declaration())),
        "gewerbe": (apply(citizen, office, "gewerbe", craft),
                    apply(citizen, office, "gewerbe", notice(taetigkeit="Rechtsanwaltskanzlei", wz="69101"))),
    }
    # Erika's demo sign-in vouches for no name or birth date: the registrar checks her proof first.
    decide(signed_in, office, "sb.plauen", found["standesamt"][1], {"berechtigt": "ja",
                                                                    "begruendung": "Personalausweis vorgelegt"})
    decide(signed_in, office, "sb.plauen", found["standesamt"][1], {"unterschrieben": "on", "standesbeamter": "Sabine Berger"})
    decide(signed_in, office, "st.plauen", found["hundesteuer"][1],
           {"entscheidung": "ermaessigung", "prozent": "50", "begruendung": "Herde von 80 Schafen belegt",
            "entscheider": "Stefan Tamm"})
    decide(signed_in, office, "sv.plauen", found["bewohnerparken"][1],
           {"entscheidung": "ablehnen", "begruendung": "Unter der Anschrift ist keine Wohnung gemeldet.",
            "entscheider": "Stefan Vogel"})
    decide(signed_in, office, "gw.plauen", found["gewerbe"][1],
           {"entscheidung": "ablehnen", "begruendung": "Ein freier Beruf ist kein Gewerbe.", "entscheider": "Gerd Weber"})
    waiting_for_post = {found["standesamt"][1], found["hundesteuer"][1]}
    jobs = [j["id"] for j in office.cases.open_print_jobs("plauen") if j["business_key"] in waiting_for_post]
    assert jobs and signed_in("sb.plauen").post("/arbeit/postausgang", data={"auftrag": jobs}).status_code == 302
    office.run()
    permit = apply(citizen, office, "bewohnerparken", parking_application())  # its original goes by post
    cashier = signed_in("sb.plauen")
    booking = re.search(r'name="buchung" value="([^"]+)"', cashier.get("/arbeit/kasse").get_data(as_text=True))[1]
    payment = {"kassenzeichen": office.variables(permit)["kassenzeichen"], "betrag": "30,70", "buchung": booking}
    assert cashier.post("/arbeit/kasse", data=payment).status_code == 302
    office.run()
    for key, (at_task, ended) in found.items():
        assert office.state(ended) == "completed", key
        assert office.task(at_task).candidate_group in services()[key].clerk_groups
    assert [j for j in office.cases.open_print_jobs("plauen") if j["business_key"] == permit]
    drafts = {"standesamt": application(), "hundesteuer": dog, "bewohnerparken": parking_application(),
              "gewerbe": craft, "hundesteuer_abmeldung": abmeldung(),
              "hundesteuer_ersatzmarke": {"halter": abmeldung()["halter"], "steuermarke": "00002", "grund": "verloren"},
              "hundesteuer_aenderung": {"halter": abmeldung()["halter"], "steuermarke": "00002", "neuer_name": "Balu"}}
    for key, data in drafts.items():
        office.cases.save_draft("plauen", "erika", key, data)
    return found


class Visible(HTMLParser):
    """The text a reader sees (or hears): text outside <script>/<style>, and the attributes shown or read
    aloud. Collects the links (href) and the GET forms (their selects and checkboxes) on the way."""

    SHOWN = ("title", "alt", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self.get_forms = [], [], []
        self._hidden = 0
        self._form = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(attrs[a] for a in self.SHOWN if attrs.get(a))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = {"action": attrs.get("action") or "", "choices": []}
            self.get_forms.append(self._form)
        elif self._form is not None and tag == "select":
            self._select = attrs.get("name")
        elif self._form is not None and tag == "option" and self._select:
            self._form["choices"].append((self._select, attrs.get("value", "")))
        elif self._form is not None and tag == "input" and attrs.get("type") == "checkbox":
            self._form["choices"].append((attrs.get("name"), attrs.get("value", "on")))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def crawl(client, starts: list[str], prefixes: tuple[str, ...]) -> dict[str, str]:
    """Every page under the prefixes reachable from ``starts`` by links and GET forms: url -> visible text."""
    seen, todo, pages = set(), list(starts), {}
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        if response.mimetype in DOWNLOADS:
            continue
        parser = Visible()
        parser.feed(response.get_data(as_text=True))
        pages[url] = parser.text
        targets = [urljoin(url, href) for href in parser.links]
        for form in parser.get_forms:
            action = urljoin(url, form["action"] or urlsplit(url).path)
            targets += [f"{action}?{urlencode({name: value})}" for name, value in form["choices"] if value]
        todo += [t for t in targets if urlsplit(t).path.startswith(prefixes) and not urlsplit(t).netloc]
    return pages


def keys_and_codes(value, found: set[str]) -> set[str]:
    """The keys of the process data at any depth, and its values that are codes (``found``, ``huetehund``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            keys_and_codes(item, found)
    elif isinstance(value, list):
        for item in value:
            keys_and_codes(item, found)
    elif isinstance(value, str) and CODE.fullmatch(value):
        found.add(value)
    return found


def german_words() -> set[str]:
    """Every word of the services' German texts: in the JSON files the labels, titles, choices and
    descriptions; in the models the names (not a lane's: a group id) and the quoted texts that read as
    sentences. A key or code that is also such a word (``keine``, ``genehmigt``) may stand in German text."""
    words = set()

    def collect(value, label=False):
        if isinstance(value, dict):
            for key, item in value.items():
                collect(item, label or key in LABELS)
        elif isinstance(value, list):
            for item in value:
                collect(item, label)
        elif isinstance(value, str) and (label or " " in value):
            words.update(re.findall(r"\w+", value))

    for path in MODELS.glob("*/*.json"):
        collect(json.loads(path.read_text(encoding="utf-8")))
    for path in MODELS.glob("*/*.bpmn"):
        model = html.unescape(path.read_text(encoding="utf-8"))
        names = re.findall(r'<bpmn:(?!lane\b)\w+[^>]*? name="([^"]*)"', model)
        sentences = re.findall(r"'([A-ZÄÖÜ][^'\n]* [^'\n]*)'", model)
        words.update(w for text in names + sentences for w in re.findall(r"\w+", text))
    return words


def internal_names(office) -> set[str]:
    """The identifiers no reader should meet: keys and codes of every instance's process data, the
    services' keys and the clerks' group ids, minus the German words among them."""
    names = {key for key in services()} | {g for u in DEMO_USERS.values() for g in u.groups}
    for info in office.engine.runtime.query(tenant="plauen"):
        keys_and_codes(info.variables, names)
    return names - german_words() - {"erika"}  # the citizen's account name: the history says who acted


def offences(text: str, names: set[str]) -> list[str]:
    patterns = PLAIN + [(re.compile(r"(?<![\w.@/-])(" + "|".join(sorted(map(re.escape, names))) + r")(?![\w@/-])"),
                         "interner Schlüssel")]
    return [f"{what} „{m.group(0)}“ in …{text[max(m.start() - 40, 0):m.end() + 40]}…"
            for pattern, what in patterns for m in pattern.finditer(text)]


def test_every_page_speaks_german(signed_in, office, cases):
    names = internal_names(office)
    assert {"person_key", "status", "standesamt", "gewerbe_leitung", "huetehund"} <= names  # the check has teeth
    pages = {}
    for user, prefixes in AREAS.items():
        client = signed_in(user)
        starts = ["/", prefixes[0] + "/"]
        if user == "erika":  # the review follows the form's POST
            starts += [f"/portal/{key}/pruefen" for key in services()]
        for url, text in crawl(client, starts, prefixes).items():
            pages[f"{user} {url}"] = text
    crawled = " ".join(pages)
    for at_task, ended in cases.values():  # the crawl reached every case, in each area
        assert f"/portal/antraege/{at_task}" in crawled and f"/portal/antraege/{ended}" in crawled
        assert office.task(at_task).id in crawled
    for service_key in services():
        assert f"/portal/{service_key}/pruefen" in crawled and f"/arbeit/schalter/{service_key}" in crawled
    for page in ("/arbeit/postausgang", "/arbeit/kasse", "?alle=1", "/betrieb/vorgang/", "/betrieb/?zustand="):
        assert page in crawled, page
    problems = [f"{page}: {problem}" for page, text in sorted(pages.items()) for problem in offences(text, names)]
    assert not problems, f"{len(problems)} Fundstellen:\n" + "\n".join(problems)



def test_the_clerk_of_the_task_opens_the_case_and_its_documents_other_offices_do_not(signed_in, office, cases):
    decide(signed_in, office, "sb.plauen", cases["standesamt"][0], {"berechtigt": "ja",
                                                                    "begruendung": "Personalausweis vorgelegt"})
    task = office.task(cases["standesamt"][0])  # the signature, the fee notice made
    page = signed_in("sb.plauen").get(f"/arbeit/{task.id}").get_data(as_text=True)
    [link] = re.findall(rf'href="(/arbeit/{task.id}/dokumente/[^"]+)"', page)  # the receipt, in the postbox
    assert f'href="/arbeit/{task.id}/antrag"' in page and "Kostenbescheid" in page  # made, not yet sent: no link
    assert signed_in("sb.plauen").get(link).mimetype == "application/pdf"
    viewed = office.engine.history.audit(instance_id=task.instance_id, action="data_viewed")
    assert [(e.actor, e.changes["ansicht"]) for e in viewed][-1] == ("sb.plauen", "dokument")  # reading is audited
    case_page = signed_in("sb.plauen").get(f"/arbeit/{task.id}/antrag").get_data(as_text=True)
    assert "Antrag eingegangen" in case_page and link in case_page
    other = signed_in("st.plauen")  # the tax office: same town, another office
    assert other.get(link).status_code == 403 and other.get(f"/arbeit/{task.id}/antrag").status_code == 403
    assert signed_in("sb.plauen").get(f"/arbeit/{task.id}/dokumente/999999").status_code == 404


def test_times_read_in_berlin_counts_in_german():
    from processes.findings import count
    from webui import datum

    assert datum("2026-03-10T09:00:00") == "10.03.2026 10:00"  # as SQLite hands back a stored UTC time
    assert datum(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == "02.07.2026 00:30"
    assert datum(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), False) == "02.07.2026"
    assert datum("2026-03-10", False) == datum("2026-03-10") == "10.03.2026"  # a day has no time to convert
    assert [count(1, "Dokument", "Dokumente"), count(2, "Dokument", "Dokumente")] == ["1 Dokument", "2 Dokumente"]


def test_audit_details_name_the_data_in_german():
    from processes.findings import changes_text

    variables = {"urkunde": {"document_id": 9, "title": "Geburtsurkunde ST-1"}}
    changes = {"set": {"registerauskunft": {}, "urkunde": {}, "person_key": "P1", "status": "found"}, "removed": ["fall"]}
    assert changes_text("standesamt_urkunde", changes, variables) == (
        "gesetzt: Registerauskunft, Geburtsurkunde ST-1 und 2 weitere Angaben; entfernt: Antragsnummer")
    assert changes_text("standesamt_urkunde", {"error": "Register nicht erreichbar", "attempt": 2}) == \
        "Fehler (Versuch 2): Register nicht erreichbar"
    assert changes_text("standesamt_urkunde", {"ansicht": "betrieb", "unmaskiert": True}) == "Ansicht Betrieb, unmaskiert"
