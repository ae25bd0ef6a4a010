"""Checking every outgoing message against an XML schema before it leaves.

The seam: the XSD is a setting of the xoev system (``Settings.xgewerbeanzeige_xsd``). By default
it is our subset (``schema/xgewerbeanzeige-subset.xsd``); another file can be named, e.g. the
official XGewerbeanzeige 2.2 schema from XRepository once it is installed."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SUBSET = Path(__file__).parent / "schema" / "xgewerbeanzeige-subset.xsd"


class InvalidMessage(ValueError):
    """A message we built does not match the schema: a bug or a configuration error, never sent."""


@lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def validate(xml: bytes, schema_path: Path = SUBSET) -> None:
    schema = _schema(str(schema_path))
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(document):
        errors = "; ".join(f"Zeile {e.line}: {e.message}" for e in list(schema.error_log)[:5])
        raise InvalidMessage(f"Nachricht entspricht nicht dem Schema {schema_path.name}: {errors}")
