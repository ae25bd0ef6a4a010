"""The hardened XML parser: no DTDs or entities, bounded size, clear German errors."""
from __future__ import annotations

import time

import pytest

from engine.errors import ModelInvalid, Problem
from engine.xmlsafe import MAX_BYTES, parse_xml

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<r>&x;</r>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def _problem(data: bytes, **kwargs) -> Problem:
    with pytest.raises(ModelInvalid) as info:
        parse_xml(data, "amt/x.bpmn", **kwargs)
    [problem] = info.value.problems
    assert problem.file == "amt/x.bpmn" and problem.element_id is None
    return problem


def test_parses_plain_bpmn():
    tree = parse_xml(BPMN, "x.bpmn")
    assert tree.getroot().find(".//{*}startEvent").get("id") == "s"


def test_rejects_external_entity():
    problem = _problem(XXE)
    assert "DTD und Entitäten sind nicht erlaubt" in problem.message
    assert "root:" not in str(problem)


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',  # parameter entity
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">',  # external DTD
    b"<!DOCTYPE r>",  # harmless, still refused
])
def test_rejects_any_doctype(doctype):
    data = b'<?xml version="1.0"?>\n<!-- prolog comment -->\n' + doctype + b"<r/>"
    assert "DOCTYPE" in _problem(data).message


def test_rejects_billion_laughs_quickly():
    start = time.perf_counter()
    assert "Entitäten" in _problem(BILLION_LAUGHS).message
    assert time.perf_counter() - start < 0.5


def test_utf16_doctype_is_caught_after_parsing():
    # The byte scan cannot read UTF-16; the docinfo check behind it must.
    assert "DTD" in _problem(XXE.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")).message


def test_rejects_oversized_file():
    problem = _problem(b" " * (MAX_BYTES + 1))
    assert "zu groß" in problem.message and "5.242.880" in problem.message
    assert "zu groß" in _problem(BPMN, max_bytes=100).message


@pytest.mark.parametrize("data, fragment", [
    (b"<bpmn:definitions><unclosed></bpmn:definitions>", "Kein wohlgeformtes XML (Zeile 1)"),
    (b"<r>&undefined;</r>", "Kein wohlgeformtes XML"),
    (b"not xml at all", "Kein wohlgeformtes XML"),
    (b"   ", "leer"),
])
def test_rejects_malformed_xml(data, fragment):
    assert fragment in _problem(data).message


def test_drops_comments_and_processing_instructions():
    data = b'<r><script>a = 1\n<!-- note -->b = 2</script><?php echo 1; ?></r>'
    root = parse_xml(data, "x.bpmn").getroot()
    assert root[0].text == "a = 1\nb = 2" and len(root) == 1 and len(root[0]) == 0


def test_doctype_text_inside_cdata_is_allowed():
    data = b'<r><script><![CDATA[html = "<!DOCTYPE html>"]]></script></r>'
    assert parse_xml(data, "x.bpmn").getroot()[0].text == 'html = "<!DOCTYPE html>"'


def test_problem_and_error_text():
    first, second = Problem("a.bpmn", "task_1", "kaputt"), Problem("b.dmn", None, "leer")
    assert str(first) == "a.bpmn: task_1: kaputt" and str(second) == "b.dmn: leer"
    assert str(ModelInvalid([first, second])) == "a.bpmn: task_1: kaputt\nb.dmn: leer"
