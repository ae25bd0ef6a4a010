"""Process tests. Each one that runs the engine runs twice ("twin tests", as SpiffWorkflow's
own suite does): ``cached`` hands each command the live workflow this process saved last;
``reloaded`` keeps no workflow, so every command (start, task, job result, message, timer)
loads the state from the database like a worker in another process, and so every wait state
goes through a save and restore."""
import copy
import dataclasses

import pytest

from engine.repository import read_paths
from tests.conftest import MODELS

TWINS = ("cached", "reloaded")


@pytest.fixture(params=TWINS)
def twin(request) -> str:
    return request.param


@pytest.fixture
def settings(settings, twin):
    """The installation's settings, for ``reloaded`` without a workflow cache."""
    return settings if twin == "cached" else dataclasses.replace(settings, workflow_cache_size=0)


@pytest.fixture
def office(installation):
    """The demo installation: seeded specialist systems, the Standesamt model deployed."""
    installation.seed_demo()
    return Office(installation).deploy("standesamt")


@pytest.fixture
def trade_office(office):
    """The demo installation with the trade-notice model deployed as well."""
    return office.deploy("gewerbe")


class Office:
    def __init__(self, installation):
        self.installation = installation
        self.engine, self.cases = installation.engine, installation.cases

    def system(self, name: str):
        """The installation's specialist system of that name."""
        return self.installation.registry.system(name)

    def deploy(self, service_key: str) -> "Office":
        self.engine.repository.deploy(read_paths([MODELS / service_key]), name=service_key)
        return self

    def run(self) -> None:
        """Lets the worker do everything that is due; fails on any incident."""
        self.engine.executor().run_due()
        incidents = self.engine.management.incidents()
        assert not incidents, [i.message for i in incidents]

    def task(self, case_number: str, tenant: str = "plauen"):
        tasks = [t for t in self.engine.tasks.query(tenant=tenant) if t.business_key == case_number]
        assert len(tasks) == 1, tasks
        return tasks[0]

    def variables(self, case_number: str, tenant: str = "plauen") -> dict:
        [info] = self.engine.runtime.query(tenant=tenant, business_key=case_number)
        return info.variables

    def state(self, case_number: str, tenant: str = "plauen") -> str:
        [info] = self.engine.runtime.query(tenant=tenant, business_key=case_number)
        return info.state

    def statuses(self, case_number: str, tenant: str = "plauen") -> list[str]:
        return [s["status"] for s in self.cases.statuses(tenant, case_number)]


def application(**changes) -> dict:
    """Erika Mustermann asks for her own birth certificate (found in Plauen's register)."""
    data = {
        "urkundenart": "birth",
        "familienname": "Mustermann",
        "vornamen": "Erika",
        "ereignisdatum": "1990-03-14",
        "ereignisort": "Plauen",
        "anzahl": 1,
        "zweck": "Eheschließung",
        "beziehung": "self",
        "antragsteller": {"vorname": "Erika", "nachname": "Beispiel", "strasse": "Bahnhofstraße 12",
                          "plz": "08523", "ort": "Plauen", "email": "erika@example.org"},
    }
    data.update(changes)
    return data


def changed(data: dict, changes: dict) -> dict:
    """A copy of an application with changes by dotted path (``antragsteller.plz``); None removes."""
    result = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = result
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return result
