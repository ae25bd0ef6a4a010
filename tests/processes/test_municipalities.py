"""Per-municipality settings are validated against each service's settings schema."""
import json

import pytest

from processes import municipalities
from processes.municipalities import SettingsError, municipality


def test_demo_municipalities_differ_for_the_same_service():
    plauen, muster = municipality("plauen").settings("standesamt"), municipality("musterstadt").settings("standesamt")
    assert (plauen["fee_cents"], plauen["payment_first"]) == (1500, False)
    assert (muster["fee_cents"], muster["payment_first"]) == (1200, True)
    assert municipality("plauen").letterhead("standesamt")["office"] == "Standesamt Plauen"


def test_invalid_settings_are_rejected_naming_file_and_field(tmp_path, monkeypatch):
    folder = tmp_path / "testdorf"
    folder.mkdir()
    base = json.loads((municipalities.FOLDER / "plauen" / "municipality.json").read_text())
    (folder / "municipality.json").write_text(json.dumps({**base, "key": "testdorf"}))
    (folder / "standesamt.json").write_text(json.dumps({**municipality("plauen").settings("standesamt"), "fee_cents": -5}))
    monkeypatch.setattr(municipalities, "FOLDER", tmp_path)
    municipalities.municipalities.cache_clear()
    municipalities._service_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="testdorf/standesamt.json: fee_cents"):
            municipality("testdorf").settings("standesamt")
        with pytest.raises(SettingsError, match="Unbekannte Kommune"):
            municipality("plauen")
    finally:
        municipalities.municipalities.cache_clear()
        municipalities._service_settings.cache_clear()


def test_every_service_model_validates_and_every_municipality_setting_fits_its_schema(process_engine):
    from engine.repository import read_paths
    from processes.catalog import MODELS, services
    from processes.municipalities import municipalities

    for key in services():
        assert process_engine.repository.validate(read_paths([MODELS / key])) == [], key
        for place in municipalities().values():
            if place.offers(key):
                place.settings(key)


def test_standing_processes_start_once_per_municipality(office):
    from processes.standing import start_standing_processes

    office.deploy("gewerbe")
    first = start_standing_processes(office.engine)
    assert len(first) == 4  # statistics and the retrieval-log purge, for Plauen and Musterstadt
    assert start_standing_processes(office.engine) == []
    for process_key in ("gewerbe_statistik", "gewerbe_auskunftsprotokoll"):
        assert {i.tenant for i in office.engine.runtime.query(process_key=process_key)} == {"plauen", "musterstadt"}
