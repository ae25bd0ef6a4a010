"""The twins differ as they should: ``reloaded`` loads the state for every command after the
start, ``cached`` for none."""
from engine import spiff
from tests.processes.conftest import application
from tests.processes.test_standesamt import ERIKA, post, sign


def test_reloaded_loads_the_state_for_every_command_and_cached_for_none(office, twin, monkeypatch):
    loaded, advanced = [], []  # the objects themselves, so no id is reused
    load_state, run_to_wait_state = spiff.load_state, spiff.run_to_wait_state

    def counting_load(blob, compiled):
        workflow = load_state(blob, compiled)
        loaded.append(workflow)
        return workflow

    def recording_run(workflow, log):
        advanced.append(workflow)
        return run_to_wait_state(workflow, log)

    monkeypatch.setattr(spiff, "load_state", counting_load)
    monkeypatch.setattr(spiff, "run_to_wait_state", recording_run)

    case = office.cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA)
    office.run()
    sign(office, case.case_number)
    post(office, case.case_number)
    assert office.state(case.case_number) == "completed"

    # start, service jobs, the signature, the posted letter: one workflow run per command
    assert len(advanced) >= 5
    if twin == "reloaded":
        assert len({id(w) for w in advanced}) == len(advanced)  # a fresh object each time
        assert [id(w) for w in loaded] == [id(w) for w in advanced[1:]]  # each loaded for its command
    else:
        assert loaded == []
        assert len({id(w) for w in advanced}) == 1  # one live workflow throughout
