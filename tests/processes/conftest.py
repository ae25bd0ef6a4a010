"""Process tests. Each one that runs the engine runs twice ("twin tests", as SpiffWorkflow's
own suite does): ``cached`` hands each command the live workflow this process saved last;
``reloaded`` keeps no workflow, so every command (start, task, job result, message, timer)
loads the state from the database like a worker in another process, and so every wait state
goes through a save and restore."""
import copy

import pytest

from engine.core import WorkflowCache
from engine.facade import ProcessEngine
from engine.repository import read_paths
from processes.cases import CaseService
from tasks.seed import seed_demo
from tests.conftest import MODELS


TWINS = ("cached", "reloaded")


@pytest.fixture(params=TWINS)
def twin(request) -> str:
    return request.param


@pytest.fixture
def process_engine(process_engine, twin):
    """The shared test engine, or for ``reloaded`` the same wiring without a workflow cache."""
    if twin == "cached":
        return process_engine
    ctx = process_engine.ctx
    return ProcessEngine(process_engine.sessions, ctx.registry, ctx.clock, workflow_cache=WorkflowCache(size=0))


@pytest.fixture
def office(process_engine):
    """The demo installation: seeded specialist systems, the Standesamt model deployed."""
    seed_demo(process_engine.sessions)
    return Office(process_engine, CaseService(process_engine)).deploy("standesamt")


class Office:
    def __init__(self, engine, cases):
        self.engine, self.cases = engine, cases

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
