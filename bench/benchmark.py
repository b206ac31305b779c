"""Speed and memory of the engine, measured on this machine.

    python bench/benchmark.py            # the full set (a few minutes on 2 cores)
    python bench/benchmark.py --quick    # fewer repeats, 20 replications instead of 100

Measures: one replication of a Barnet year; 100 replications serially and on
all cores (parallel efficiency); stage visits per second; peak memory with and
without the event log; cost against volume (25× the contacts and staff); and
the same open queueing network in flowsim and in Ciw. Prints a Markdown
report for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flowsim import expected_flows, load_scenario, vary  # noqa: E402
from flowsim.engine import run  # noqa: E402
from flowsim.engine.replication import simulate  # noqa: E402
from flowsim.engine.results import Kpi, run_kpis  # noqa: E402
from flowsim.engine.replications import kpi_batch  # noqa: E402
from flowsim.engine.streams import replication_seeds  # noqa: E402
from flowsim.runner import open_runner  # noqa: E402
from flowsim.sweep import batch_size  # noqa: E402
from flowsim.scenario.load import scenario_from_document  # noqa: E402

NETWORK = {  # an open network: three multi-server stages, Poisson arrivals, exponential work
    "arrivals_per_day": 100.0,
    "servers": [2, 3, 2],
    "service_minutes": [20.0, 50.0, 25.0],
    "routing": [[0.0, 0.6, 0.3], [0.0, 0.0, 0.2], [0.0, 0.0, 0.0]],  # the rest leave
    "days": 365,
}


def erlang_c_wait(servers: int, arrivals: float, service_rate: float) -> float:
    a = arrivals / service_rate
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    return top / (sum(a**k / math.factorial(k) for k in range(servers)) + top) / (servers * service_rate - arrivals)


def timed(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def one_replication(scenario, seed=0) -> dict:
    rec = simulate(scenario, replication_seeds(seed, 1)[0], keep_events=False)
    return run_kpis(scenario, rec)


def stage_visits(kpis: dict) -> float:
    return sum(v for k, v in kpis.items() if k.measure == "arrivals")


def network_scenario():
    n = NETWORK
    names = [f"stage_{i + 1}" for i in range(len(n["servers"]))]
    stages = {}
    for i, name in enumerate(names):
        routes = {names[j]: share for j, share in enumerate(n["routing"][i]) if share > 0}
        routes["leave"] = "rest"
        stages[name] = {"role": f"team_{i + 1}", "routes": routes,
                        "work": {"distribution": "exponential", "mean_minutes": n["service_minutes"][i]}}
    document = {
        "name": "open_network", "council": "Benchmark", "operating_model": "custom", "price_year": 2024,
        "time": {"start_date": "2023-01-01", "horizon_days": n["days"],
                 "calendars": {"always": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                          "start": "00:00", "end": "00:00", "works_bank_holidays": True}}},
        "demand": {"contacts_per_year": n["arrivals_per_day"] * 365, "sources": {"community": 1.0},
                   "entry": {"default": names[0]}},
        "roles": {f"team_{i + 1}": {"fte": c, "productive_hours_per_fte": 8760, "calendar": "always"}
                  for i, c in enumerate(n["servers"])},
        "stages": stages,
        "outcomes": {"leave": {}},
    }
    return scenario_from_document(document, "open_network")


PS = {"arrivals_per_day": 20.0, "service_minutes": 50.0, "cap": 3, "days": 365}  # limited processor sharing


def ps_scenario():
    """One practitioner round the clock sharing their time among at most ``cap`` open cases (a case stage)."""
    document = network_scenario().source.document | {"name": "ps_queue"}
    document = {**document, "demand": {**document["demand"], "contacts_per_year": PS["arrivals_per_day"] * 365,
                                       "entry": {"default": "stage_1"}},
                "roles": {"team_1": {**document["roles"]["team_1"], "fte": 1}},
                "stages": {"stage_1": {"role": "team_1", "kind": "case", "case": {"caseload_cap": PS["cap"]},
                                       "work": {"distribution": "exponential", "mean_minutes": PS["service_minutes"]},
                                       "routes": {"leave": 1}}}}
    return scenario_from_document(document, "ps_queue")


def run_ciw_ps(seed: int):
    """The same limited processor-sharing queue in Ciw (PSNode: up to ``cap`` customers share one server)."""
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=PS["arrivals_per_day"])],
                                 service_distributions=[ciw.dists.Exponential(rate=1440.0 / PS["service_minutes"])],
                                 number_of_servers=[PS["cap"]])
    ciw.seed(seed)
    simulation = ciw.Simulation(network, node_class=ciw.PSNode)
    simulation.simulate_until_max_time(PS["days"])
    return simulation.get_all_records()


def ciw_network():
    import ciw

    n = NETWORK
    rates = [1440.0 / m for m in n["service_minutes"]]
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=n["arrivals_per_day"])] + [None] * (len(rates) - 1),
        service_distributions=[ciw.dists.Exponential(rate=r) for r in rates],
        routing=n["routing"],
        number_of_servers=n["servers"],
    )


def run_ciw(network, seed: int):
    import ciw

    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(NETWORK["days"])
    return simulation.get_all_records()


def _batch_with_memory(scenario, seed, reps, indices):
    """A sweep's unit of work, reporting the worker's peak memory (MiB) after it."""
    import resource

    kpi_batch(scenario, seed, reps, indices)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sweep_scaling(scenario, reps: int, cores: int) -> str:
    """Replications a second serially, on the process pool and on a 2-worker Dask LocalCluster."""
    rows, serial_rate = [], None
    for label, workers, dask in (("serial", 1, None), (f"process pool, {cores} workers", cores, None),
                                 ("Dask LocalCluster, 2 workers", 2, "local")):
        with open_runner(workers, dask) as run:
            size = batch_size(reps, reps, run.workers)
            start = time.perf_counter()
            futures = [run.submit(_batch_with_memory, scenario, 1, reps, list(range(i, min(reps, i + size))))
                       for i in range(0, reps, size)]
            peaks = [future.result() for future in run.as_completed(futures)]
            rate = reps / (time.perf_counter() - start)
        serial_rate = serial_rate or rate
        rows.append(f"| sweep work, {label}: replications a second (KPI-only, {reps} of barnet_new_model) | "
                    f"{rate:.2f} (efficiency {rate / serial_rate / workers:.0%}; peak memory per worker "
                    f"{max(peaks):.0f} MiB RSS) |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and replications")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    many = 20 if args.quick else 100
    cores = os.cpu_count() or 1
    lines = []
    say = lines.append

    current = load_scenario(ROOT / "scenarios/barnet_current.yaml")
    new = load_scenario(ROOT / "scenarios/barnet_new_model.yaml")
    frozen = [load_scenario(ROOT / f"tests/backtest/scenarios/{name}.yaml")  # the Barnet pair before case stages
              for name in ("barnet_current", "barnet_new_model")]
    say("| measure | value |")
    say("|---|---|")
    for scenario in frozen:
        seconds, _ = timed(lambda: one_replication(scenario), repeats)
        say(f"| one replication, {scenario.name} as before case stages (one-sitting work; the back-test's "
            f"inputs) | {seconds:.3f} s |")
    for scenario in (current, new):
        seconds, kpis = timed(lambda: one_replication(scenario), repeats)
        say(f"| one replication, {scenario.name} (a year, KPIs only) | {seconds:.3f} s |")
        say(f"| stage visits per second, {scenario.name} | {stage_visits(kpis) / seconds:,.0f} |")

    analytic, _ = timed(lambda: expected_flows(new), repeats * 3)
    say(f"| analytic expected flows (the app's instant preview), barnet_new_model | {analytic * 1000:.1f} ms |")

    serial, _ = timed(lambda: run(new, reps=many, seed=1, processes=1, detail=False), 1)
    parallel, _ = timed(lambda: run(new, reps=many, seed=1, processes=cores, detail=False), 1)
    say(f"| {many} replications of barnet_new_model, serial | {serial:.2f} s ({serial / many:.3f} s each) |")
    say(f"| {many} replications, {cores} processes | {parallel:.2f} s |")
    say(f"| parallel speed-up / efficiency on {cores} cores | {serial / parallel:.2f}× / "
        f"{serial / parallel / cores:.0%} |")

    say(sweep_scaling(new, many, cores))

    for detail in (False, True):
        tracemalloc.start()
        run(new, reps=1, seed=1, processes=1, detail=detail)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        say(f"| peak memory, one replication, {'with event log and daily series' if detail else 'KPIs only'} "
            f"| {peak / 2**20:.1f} MiB |")

    base, _ = timed(lambda: one_replication(new), repeats)
    scale = 25
    changes = {"demand.contacts_per_year": new.demand.contacts_per_year * scale}
    changes |= {f"roles.{r}.fte": role.fte * scale for r, role in new.roles.items()}
    changes |= {f"caseload.packages.{p}": n * scale for p, n in new.caseload.packages.items()}
    changes |= {f"waiting_list.{s}.count": w.count * scale for s, w in new.waiting_list.items()}
    changes |= {f"demand.workstreams.{w}.per_year": s.per_year * scale for w, s in new.demand.workstreams.items()}
    changes |= {f"open_cases.{s}.count": c.count * scale for s, c in new.open_cases.items()}
    big = vary(new, changes)
    large, _ = timed(lambda: one_replication(big), max(1, repeats // 3))
    say(f"| {scale}× contacts, staff and caseload, one replication | {large:.2f} s "
        f"({large / base:.1f}× the time of 1×) |")

    network = network_scenario()
    flowsim_time, kpis = timed(lambda: one_replication(network), repeats)
    ps = ps_scenario()
    ps_time, ps_kpis = timed(lambda: one_replication(ps), repeats)
    ciw_ps_time, ps_records = timed(lambda: run_ciw_ps(1), repeats)
    ciw_sojourn = statistics.mean(r.exit_date - r.arrival_date for r in ps_records)
    say(f"| limited processor sharing (one practitioner, cap {PS['cap']}, {PS['arrivals_per_day']:.0f} a day, "
        f"{PS['service_minutes']:.0f} min), flowsim | {ps_time:.3f} s (mean days open: "
        f"{ps_kpis[Kpi('case_open_days_mean', 'stage_1')]:.4f}; wait for allocation: "
        f"{ps_kpis[Kpi('wait_mean_days', 'stage_1')]:.4f}) |")
    say(f"| same queue, Ciw PSNode | {ciw_ps_time:.3f} s (mean time in system: {ciw_sojourn:.4f} days); "
        f"flowsim {ciw_ps_time / ps_time:.1f}× faster |")
    ciw_net = ciw_network()
    ciw_time, records = timed(lambda: run_ciw(ciw_net, 1), repeats)
    ciw_wait = statistics.mean(r.waiting_time for r in records if r.node == 2)
    say(f"| open network ({NETWORK['arrivals_per_day']:.0f} arrivals a day, 3 stages, a year), flowsim | "
        f"{flowsim_time:.3f} s (mean wait at stage 2: {kpis[Kpi('wait_mean_days', 'stage_2')] * 1440:.1f} min) |")
    say(f"| same network, Ciw {__import__('ciw').__version__} | {ciw_time:.3f} s "
        f"(mean wait at stage 2: {ciw_wait * 1440:.1f} min) |")
    say(f"| flowsim speed against Ciw | {ciw_time / flowsim_time:.1f}× faster |")
    say(f"| stage 2 mean wait in theory (Erlang C: Poisson arrivals of {NETWORK['arrivals_per_day'] * 0.6:.0f} a day, "
        f"3 servers) | {erlang_c_wait(3, NETWORK['arrivals_per_day'] * 0.6, 1440 / NETWORK['service_minutes'][1]) * 1440:.1f}"
        " min (one run of each tool is one sample) |")

    print(f"Machine: {platform.processor() or platform.machine()}, {cores} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    # Run as the module "benchmark" (its folder is on sys.path): pool workers never import a
    # script's __main__, so they find _batch_with_memory by this name.
    import benchmark

    benchmark.main()
