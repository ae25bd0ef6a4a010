"""The benchmark's report (its figures are checked by `make bench`, not here)."""
from engine import bench


def test_bench_reports_three_rates_their_ratios_and_timer_delays(monkeypatch):
    monkeypatch.setattr(bench, "WAITING_TIMERS", 200)  # the full run waits with 100,000
    result = bench.run_bench(seconds=0.3)
    assert {"spiff_memory_per_s", "engine_persisted_per_s", "lifecycle_per_s"} <= set(result)
    assert all(result[k] > 0 for k in ("spiff_memory_per_s", "engine_persisted_per_s", "lifecycle_per_s"))
    base = result["spiff_memory_per_s"]
    assert abs(result["ratio_persisted_to_memory"] - result["engine_persisted_per_s"] / base) < 0.01
    assert abs(result["ratio_lifecycle_to_memory"] - result["lifecycle_per_s"] / base) < 0.01
    isolated = result["engine_isolated_scripts_per_s"] / result["engine_persisted_per_s"]
    assert abs(result["ratio_isolated_to_persisted"] - isolated) < 0.01
    assert result["timers_waiting"] == 200
    assert 0 <= result["timer_delay_max_s"] < 2  # the worker polls at least twice a second
