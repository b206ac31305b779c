"""Shared fixtures: the shipped scenarios, small hand-made scenario documents, and a check
that the tests leave no process behind."""
from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

from flowsim.errors import InputError
from flowsim.runner import shutdown_shared_pool
from flowsim.scenario.load import scenario_from_document

# Property tests check behaviour, not speed: a busy machine must not fail them on hypothesis's 200 ms deadline.
settings.register_profile("flowsim", deadline=None)
settings.load_profile("flowsim")

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MARK = f"FLOWSIM_TEST_SESSION={os.getpid()}"
# Every program the tests start inherits this, so one that outlives its parent is still found.
os.environ["FLOWSIM_TEST_SESSION"] = str(os.getpid())
# multiprocessing's helpers for this interpreter; they end when it does.
INTERPRETER_SERVICES = ("from multiprocessing.forkserver import main", "from multiprocessing.resource_tracker import main")


def _processes_left() -> list[str]:
    """Live processes started by this test session (descendants, or carrying its mark), but not
    this interpreter's own multiprocessing helpers."""
    me, found = os.getpid(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            environ = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError):  # gone while we looked, or not ours to read
            continue
        if state != "Z":
            found[int(entry.name)] = (int(ppid), MARK.encode() in environ, command)
    parents = {pid: ppid for pid, (ppid, _, _) in found.items()}

    def descends(pid: int) -> bool:
        while pid in parents:
            pid = parents[pid]
            if pid == me:
                return True
        return False

    def service(ppid: int, command: str) -> bool:
        return ppid == me and any(name in command for name in INTERPRETER_SERVICES)

    return [f"pid {pid} (parent {ppid}): {command[:200]}" for pid, (ppid, marked, command) in sorted(found.items())
            if (marked or descends(pid)) and not service(ppid, command)]


@pytest.fixture(scope="module", autouse=True)
def stop_the_shared_pool():
    """A module that drives the app (AppTest runs it in this process) starts the shared pool."""
    yield
    shutdown_shared_pool()


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind():
    """Fails the run if a pool worker, Dask process or app server outlives the tests."""
    yield
    deadline = time.monotonic() + 20  # time for stopped processes to finish exiting
    while (left := _processes_left()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not left, "processes left behind by the tests:\n" + "\n".join(left)


def tiny_document(**changes) -> dict:
    """A small, valid scenario: front door → assessment → outcome, one role each.

    Numbers are plain so tests can compute expectations by hand.
    """
    document = {
        "name": "tiny",
        "council": "Testshire",
        "operating_model": "custom",
        "price_year": 2024,
        "time": {"start_date": "2024-04-01", "horizon_days": 365},
        "demand": {
            "contacts_per_year": 1000,
            "sources": {"community": 0.75, "secondary_health": 0.25},
            "entry": {"default": "front_door", "secondary_health": "assessment"},
        },
        "roles": {
            "adviser": {"fte": 2, "productive_hours_per_fte": 1500},
            "social_worker": {"fte": 3, "productive_hours_per_fte": 1500},
        },
        "stages": {
            "front_door": {
                "role": "adviser",
                "work": {"distribution": "exponential", "mean_minutes": 30},
                "routes": {"information_advice": 0.6, "assessment": "rest"},
            },
            "assessment": {
                "role": "social_worker",
                "work": {"distribution": "lognormal", "mean_minutes": 240, "sd_minutes": 60},
                "wait_target_days": 28,
                "routes": {"home_care": 0.5, "no_eligible_needs": 0.5},
            },
        },
        "outcomes": {
            "information_advice": {},
            "no_eligible_needs": {},
            "home_care": {"kind": "package", "weekly_cost": 200, "mean_duration_weeks": 52},
        },
    }
    for path, value in changes.items():
        node = document
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return copy.deepcopy(document)


def problems_of(document, overrides=None) -> list[str]:
    """Every problem the loader reports for a scenario document that must be refused (origin "test.yaml")."""
    with pytest.raises(InputError) as caught:
        scenario_from_document(document, "test.yaml", overrides)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def tiny():
    return tiny_document


# Every stage the social worker works at: a role's stages are all one kind.
SOCIAL_WORK_STAGES = ("social_work", "community_hub", "full_assessment", "safeguarding_enquiry", "support_planning",
                      "review")


ONE_SITTING_BARNET = ROOT / "tests" / "backtest" / "scenarios" / "barnet_current.yaml"  # before case stages


def barnet_with_case_stages(days: int = 365, cap: float = 20):
    """barnet_current with the social workers holding caseloads (case stages under a cap)."""
    from flowsim import load_scenario
    overrides = {"time.horizon_days": days}
    for stage in SOCIAL_WORK_STAGES:
        overrides |= {f"stages.{stage}.kind": "case", f"stages.{stage}.case": {"caseload_cap": cap}}
    return load_scenario(ROOT / "scenarios" / "barnet_current.yaml", overrides)


@pytest.fixture(params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def shipped_path(request) -> Path:
    return request.param


def queue_document(servers: float, arrivals_per_day: float, service_minutes: float, *,
                   warm_up_days: int = 30, horizon_days: int = 365) -> dict:
    """One stage, ``servers`` practitioners on duty round the clock, Poisson arrivals,
    exponential work: the M/M/c queue of textbook queueing theory."""
    return {
        "name": "mmc",
        "council": "Queueing theory",
        "operating_model": "custom",
        "price_year": 2024,
        "time": {
            "start_date": "2023-01-01",
            "horizon_days": horizon_days,
            "warm_up_days": warm_up_days,
            "calendars": {"always": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                     "start": "00:00", "end": "00:00", "works_bank_holidays": True}},
        },
        "demand": {"contacts_per_year": arrivals_per_day * 365, "sources": {"community": 1.0},
                   "entry": {"default": "service"}},
        "roles": {"server": {"fte": servers, "productive_hours_per_fte": 8760, "calendar": "always"}},
        "stages": {"service": {"role": "server", "routes": {"done": 1.0},
                               "work": {"distribution": "exponential", "mean_minutes": service_minutes}}},
        "outcomes": {"done": {}},
    }
