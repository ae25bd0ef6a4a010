"""Hardened XML parsing for uploaded BPMN/DMN files.

Every model file passes through ``parse_xml`` before SpiffWorkflow sees it: no DTDs, no
entities, no network, no processing instructions, bounded size. Comments are dropped
because SpiffWorkflow's script task parser crashes on a comment inside a scriptTask.
"""
from __future__ import annotations

import re
from io import BytesIO

from lxml import etree

from .errors import ModelInvalid, Problem

MAX_BYTES = 5 * 1024 * 1024

# A DOCTYPE can only stand in the prolog (before the root element). Looking only there
# avoids false alarms on '<!DOCTYPE html>' inside a script's CDATA section.
_PROLOG_DOCTYPE = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL | re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf",)


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _fail(filename: str, message: str) -> ModelInvalid:
    return ModelInvalid([Problem(filename, None, message)])


def parse_xml(data: bytes, filename: str, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Parse untrusted XML or raise ``ModelInvalid`` with one German problem."""
    if len(data) > max_bytes:
        size, limit = f"{len(data):_}".replace("_", "."), f"{max_bytes:_}".replace("_", ".")
        raise _fail(filename, f"Die Datei ist zu groß ({size} Bytes, erlaubt sind höchstens {limit} Bytes). "
                              "Teilen Sie das Modell auf (z. B. mit Aufrufaktivitäten).")
    if not data.strip():
        raise _fail(filename, "Die Datei ist leer.")
    head = data
    for bom in _BOMS:
        head = head.removeprefix(bom)
    no_dtd = ("DTD und Entitäten sind nicht erlaubt (Schutz vor XXE/Billion Laughs). "
              "Entfernen Sie die DOCTYPE-Deklaration.")
    if _PROLOG_DOCTYPE.match(head):
        raise _fail(filename, no_dtd)
    try:
        tree = etree.parse(BytesIO(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise _fail(filename, f"Kein wohlgeformtes XML (Zeile {exc.lineno}): {exc.msg}. "
                              "Prüfen Sie die Datei mit einem BPMN-Modellierer.") from None
    # Second line of defence, e.g. for UTF-16 documents the byte scan cannot read.
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _fail(filename, no_dtd)
    return tree
