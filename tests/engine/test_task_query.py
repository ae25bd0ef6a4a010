"""TaskService.query filters, sorts and pages in SQL (Camunda's TaskQuery is the model)."""
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.humantasks import MAX_PER_PAGE
from tests.conftest import TEST_MODELS


def variant(key: str, group: str, due_in: str | None) -> bytes:
    xml = (TEST_MODELS / "engine/lifecycle.bpmn").read_text()
    xml = xml.replace('id="lifecycle"', f'id="{key}"').replace('processRef="lifecycle"', f'processRef="{key}"')
    xml = xml.replace('id="defs_lifecycle"', f'id="defs_{key}"').replace('id="collab_lifecycle"', f'id="collab_{key}"')
    xml = xml.replace('name="sachbearbeitung"', f'name="{group}"')
    due = '<spiffworkflow:property name="dueIn" value="P3D" />'
    xml = xml.replace(due, f'<spiffworkflow:property name="dueIn" value="{due_in}" />' if due_in else "")
    return xml.encode()


@pytest.fixture
def engine(process_engine):
    review = (TEST_MODELS / "engine/review.schema.json").read_bytes()
    process_engine.repository.deploy({
        "soon.bpmn": variant("soon", "standesamt", "P1D"), "later.bpmn": variant("later", "standesamt", "P5D"),
        "undated.bpmn": variant("undated", "gewerbe", None), "other.bpmn": variant("other", "steueramt", "P1D"),
        "review.schema.json": review})
    return process_engine


def start(engine, clock, key: str, name: str, tenant: str = "plauen") -> str:
    instance_id = engine.runtime.start(key, tenant=tenant, business_key=name, variables={"applicant": name})
    engine.executor().run_due()
    clock.advance(minutes=1)  # distinct creation times
    return instance_id


def names(tasks) -> list[str]:
    return [t.business_key for t in tasks]


def test_candidate_groups_is_an_in_list_and_the_sort_puts_undated_tasks_last(engine, clock):
    for key, name in (("undated", "U1"), ("later", "L1"), ("soon", "S1"), ("other", "O1"), ("undated", "U2"),
                      ("soon", "S2")):
        start(engine, clock, key, name)
    start(engine, clock, "soon", "S-elsewhere", tenant="musterstadt")

    found = engine.tasks.query(tenant="plauen", candidate_groups=["standesamt", "gewerbe"])
    # due date first (same due date: earlier created first), tasks without a due date last
    assert names(found) == ["S1", "S2", "L1", "U1", "U2"]
    assert names(engine.tasks.query(tenant="plauen", candidate_groups=["steueramt"])) == ["O1"]
    assert engine.tasks.query(tenant="plauen", candidate_groups=[]) == []
    assert names(engine.tasks.query(tenant="plauen", candidate_group="gewerbe")) == ["U1", "U2"]
    assert names(engine.tasks.query(tenant="plauen", candidate_groups=("gewerbe", "standesamt"),
                                    candidate_group="gewerbe")) == ["U1", "U2"]


def test_follow_up_before_keeps_tasks_without_a_follow_up_or_one_that_is_due(engine, clock):
    for name in ("A", "B", "C", "D"):
        start(engine, clock, "soon", name)
    tasks = {t.business_key: t for t in engine.tasks.query(tenant="plauen")}
    now = clock.now()
    berlin = ZoneInfo("Europe/Berlin")
    engine.tasks.set_follow_up(tasks["B"].id, (now + timedelta(days=2)).astimezone(berlin))  # stored as UTC
    engine.tasks.set_follow_up(tasks["C"].id, now - timedelta(hours=1))
    engine.tasks.set_follow_up(tasks["D"].id, now)

    assert names(engine.tasks.query(tenant="plauen", follow_up_before=now)) == ["A", "C", "D"]
    assert names(engine.tasks.query(tenant="plauen", follow_up_before=now.astimezone(berlin))) == ["A", "C", "D"]
    assert names(engine.tasks.query(tenant="plauen", follow_up_before=now + timedelta(days=2))) == ["A", "B", "C", "D"]
    assert names(engine.tasks.query(tenant="plauen")) == ["A", "B", "C", "D"]  # no filter: all
    stored = engine.tasks.get(tasks["B"].id).follow_up_at
    assert stored == now + timedelta(days=2) and stored.utcoffset() == timezone.utc.utcoffset(None)


def test_pages_follow_the_sort_and_per_page_is_bounded(engine, clock):
    for i in range(5):
        start(engine, clock, "soon", f"T{i}")
    assert names(engine.tasks.query(tenant="plauen", per_page=2)) == ["T0", "T1"]
    assert names(engine.tasks.query(tenant="plauen", per_page=2, page=2)) == ["T2", "T3"]
    assert names(engine.tasks.query(tenant="plauen", per_page=2, page=3)) == ["T4"]
    assert engine.tasks.query(tenant="plauen", per_page=2, page=4) == []
    for page, per_page in ((0, 10), (1, 0), (1, MAX_PER_PAGE + 1)):
        with pytest.raises(ValueError):
            engine.tasks.query(page=page, per_page=per_page)
    assert len(engine.tasks.query(per_page=MAX_PER_PAGE)) == 5
