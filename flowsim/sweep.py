"""Parameter sweeps: every combination of some values, many replications each, resumable.

A sweep is a grid of points (scenario files × the values of each varied
field). Every point runs the same seeds, so points differ only by what was
varied (common random numbers). With an output folder, each point is written
as soon as its replications are done, atomically and manifest last; a sweep
that is stopped loses only the points in flight, and ``resume`` skips the
points already written. The combined table has one row per point and KPI.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from flowsim.engine.replications import MAX_REPS, kpi_batch, mean_ci
from flowsim.errors import FlowsimError, InputError, Problem
from flowsim.runner import open_runner
from flowsim.output import prepare_folder, remove_leftovers, write_frame, write_text_atomic
from flowsim.scenario.load import YAML_VALUE_ERRORS, safe_yaml, scenario_document, scenario_hash, vary
from flowsim.scenario.schema import Scenario
from flowsim.version import __version__

SUMMARY_COLUMNS = ["mean", "ci_low", "ci_high", "sd", "n"]
SWEEP_FILES = ("sweep.json", "points.parquet", "points.csv")
POINT_FILES = ("scenario.yaml", "kpis.parquet", "summary.parquet", "manifest.json")
MAX_POINTS = 10_000  # points of one sweep (scenarios × the values of every varied field)
MAX_STEPS = 1_000  # values of one varied field: the grid is their product, and every point is validated first


@dataclass(frozen=True)
class Point:
    id: str
    scenario: Scenario
    changes: dict


def parse_vary(spec: str) -> tuple[str, list]:
    """``path=v1,v2,…`` or ``path=start:stop:steps`` (evenly spaced, ends included)."""
    path, sep, raw = spec.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not path or not raw:
        raise FlowsimError(f"{spec!r}: must look like path=v1,v2 or path=start:stop:steps")
    if ":" in raw and "," not in raw:
        parts = raw.split(":")
        try:
            start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            raise FlowsimError(f"{spec!r}: start:stop:steps needs two numbers and a whole number") from None
        if len(parts) != 3 or not 2 <= steps <= MAX_STEPS:
            raise FlowsimError(f"{spec!r}: start:stop:steps needs steps from 2 to {MAX_STEPS:,}")
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise FlowsimError(f"{spec!r}: start and stop must be finite numbers")
        return path, [float(v) for v in np.linspace(start, stop, steps)]
    values = []
    for raw_value in raw.split(","):
        try:
            values.append(safe_yaml(raw_value))
        except YAML_VALUE_ERRORS:
            raise FlowsimError(f"{spec!r}: the value {raw_value!r} cannot be read") from None
    if len(values) > MAX_STEPS:
        raise FlowsimError(f"{spec!r}: at most {MAX_STEPS:,} values")
    if len(set(map(repr, values))) != len(values):
        raise FlowsimError(f"{spec!r}: a value is listed twice")
    return path, values


def _point_id(index: int, scenario: Scenario, changes: Mapping) -> str:
    text = json.dumps([scenario.name, sorted((k, repr(v)) for k, v in changes.items())])
    return f"{index:04d}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def plan(bases: Sequence[Scenario], axes: Mapping[str, Sequence]) -> list[Point]:
    """Every point of the grid, each validated before anything runs (all problems at once)."""
    if not bases:
        raise FlowsimError("a sweep needs at least one scenario")
    paths, value_lists = list(axes), [list(v) for v in axes.values()]
    for path, values in zip(paths, value_lists):
        if not values:
            raise FlowsimError(f"{path}: no values to vary")
    size = len(bases) * math.prod(len(v) for v in value_lists)
    if size > MAX_POINTS:
        raise FlowsimError(f"the grid has {size:,} points; at most {MAX_POINTS:,} (vary fewer values)")
    points, problems = [], []
    for base in bases:
        for combination in itertools.product(*value_lists):
            changes = dict(zip(paths, combination))
            try:
                scenario = vary(base, changes) if changes else base
            except InputError as error:
                where = ", ".join(f"{k}={v}" for k, v in changes.items())
                problems += [Problem(p.file, p.path, f"{p.message} (at {where})") for p in error.problems]
                continue
            points.append(Point(_point_id(len(points), scenario, changes), scenario, changes))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return points


def batch_size(total_reps: int, reps: int, workers: int) -> int:
    """Replications per task: about four tasks per worker, at most one point's worth."""
    return max(1, min(reps, math.ceil(total_reps / (4 * max(1, workers)))))


def _definition(points: list[Point], axes: Mapping, reps: int, seed: int) -> dict:
    return {"points": [{"id": p.id, "scenario": p.scenario.name, "scenario_sha256": scenario_hash(p.scenario),
                        "changes": {k: repr(v) for k, v in p.changes.items()}} for p in points],
            "axes": {k: [repr(v) for v in vals] for k, vals in axes.items()}, "reps": reps, "seed": seed}


def _summary(point: Point, kpis: dict[int, dict], reps: int) -> pd.DataFrame:
    names = list(dict.fromkeys(name for table in kpis.values() for name in table))
    rows = []
    for name in names:
        values = np.array([kpis[i].get(name, math.nan) for i in range(reps)], dtype=float)
        rows.append({"kpi": name, **mean_ci(values)})
    frame = pd.DataFrame(rows, columns=["kpi", *SUMMARY_COLUMNS])
    frame.insert(0, "scenario", point.scenario.name)
    frame.insert(0, "point", point.id)
    for i, (path, value) in enumerate(point.changes.items()):
        frame.insert(2 + i, path, value)
    return frame


def _write_point(folder: Path, point: Point, kpis: dict[int, dict], summary: pd.DataFrame, reps: int,
                 seed: int) -> None:
    here = prepare_folder(folder / "points" / point.id)
    (here / "manifest.json").unlink(missing_ok=True)  # a point recomputed: the old manifest no longer vouches
    write_text_atomic(here / "scenario.yaml", yaml.safe_dump(scenario_document(point.scenario), sort_keys=False,
                                                             allow_unicode=True))
    long = pd.DataFrame([(point.id, i, name, value) for i in sorted(kpis) for name, value in kpis[i].items()],
                        columns=["point", "run", "kpi", "value"])
    write_frame(long, here / "kpis.parquet")
    write_frame(summary, here / "summary.parquet")
    manifest = {"point": point.id, "scenario": point.scenario.name, "changes": {k: repr(v) for k, v in
                                                                               point.changes.items()},
                "scenario_sha256": scenario_hash(point.scenario), "reps": reps, "seed": seed,
                "flowsim_version": __version__, "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    write_text_atomic(here / "manifest.json", json.dumps(manifest, indent=2) + "\n")


def _finished(folder: Path, point: Point) -> pd.DataFrame | None:
    here = folder / "points" / point.id
    if not (here / "manifest.json").exists():
        return None
    try:
        return pd.read_parquet(here / "summary.parquet")
    except (OSError, ValueError, pa.ArrowException):  # damaged or missing: the point is run again
        return None


def sweep(bases: Scenario | Sequence[Scenario], vary_fields: Mapping[str, Sequence] | None = None, *,
          reps: int = 10, seed: int = 0, out: str | Path | None = None, resume: bool = False,
          workers: int | None = None, dask: str | None = None, force: bool = False,
          progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run every point of the grid; return one row per point and KPI (mean, 95% CI, sd, n).

    ``bases``: one scenario or several (each crossed with the grid). ``vary_fields``:
    field path → values. ``out``: a folder for per-point results and the combined
    table (``points.parquet`` and ``points.csv``); ``resume`` skips finished points; ``force`` replaces
    an earlier sweep there, or files under a sweep's names that flowsim did not write.
    ``workers`` local processes, or ``dask='local'`` / a scheduler address.
    ``progress(done, total)`` is called in replications.
    """
    if not 1 <= reps <= MAX_REPS:
        raise FlowsimError(f"replications must be between 1 and {MAX_REPS:,}; got {reps}")
    bases = [bases] if isinstance(bases, Scenario) else list(bases)
    axes = dict(vary_fields or {})
    points = plan(bases, axes)
    folder = Path(out) if out is not None else None
    summaries: dict[str, pd.DataFrame] = {}
    if folder is not None:
        _prepare_sweep_folder(folder, _definition(points, axes, reps, seed), resume, force)
        for point in points:
            done = _finished(folder, point) if resume else None
            if done is not None:
                summaries[point.id] = done
    todo = [p for p in points if p.id not in summaries]
    total, counted = len(todo) * reps, [0]
    if progress:
        progress(0, total)
    with open_runner(workers, dask) as run:
        size = batch_size(total, reps, run.workers)
        futures = {}
        for point in todo:
            for first in range(0, reps, size):
                indices = list(range(first, min(reps, first + size)))
                futures[run.submit(kpi_batch, point.scenario, seed, reps, indices)] = point
        collected: dict[str, dict[int, dict]] = {p.id: {} for p in todo}
        remaining = {p.id: math.ceil(reps / size) for p in todo}
        try:
            for future in run.as_completed(futures):
                point = futures[future]
                batch = future.result()
                collected[point.id].update(batch)
                counted[0] += len(batch)
                remaining[point.id] -= 1
                if remaining[point.id] == 0:  # the point is complete: keep it now
                    kpis = collected.pop(point.id)
                    summaries[point.id] = _summary(point, kpis, reps)
                    if folder is not None:
                        _write_point(folder, point, kpis, summaries[point.id], reps, seed)
                if progress:
                    progress(counted[0], total)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    table = pd.concat([summaries[p.id] for p in points], ignore_index=True)
    if folder is not None:
        write_frame(table, folder / "points.parquet")
        write_frame(table, folder / "points.csv")
    return table


def _prepare_sweep_folder(folder: Path, definition: dict, resume: bool, force: bool = False) -> None:
    prepare_folder(folder)
    stored = folder / "sweep.json"
    if stored.exists() and (resume or not force):
        if not resume:
            raise FlowsimError(f"{folder} already holds a sweep: resume it to finish it, replace it with --force, "
                               "or choose another folder")
        try:
            recorded = json.loads(stored.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise FlowsimError(f"{stored} cannot be read: choose another folder") from None
        if recorded != definition:
            raise FlowsimError(f"{folder} holds a different sweep (other scenarios, values, replications or "
                               "seed): choose another folder")
        remove_leftovers(folder, SWEEP_FILES)
        for point in (folder / "points").glob("*"):
            if point.is_dir():
                remove_leftovers(point, POINT_FILES)
        return
    if stored.exists():  # --force: the earlier sweep is flowsim's own, so it may go
        _remove_sweep(folder)
    theirs = [name for name in (*SWEEP_FILES, "points") if (folder / name).exists()]
    if theirs and not force:  # without sweep.json these are not a sweep's: never overwrite them unasked
        raise FlowsimError(f"{folder}: holds {', '.join(theirs)} that flowsim did not write (no sweep.json); "
                           "choose another folder, or add --force to replace them")
    write_text_atomic(stored, json.dumps(definition, indent=2) + "\n")


def _remove_sweep(folder: Path) -> None:
    """Delete an earlier sweep's files: flowsim's names only, and folders only once they are empty."""
    points = folder / "points"
    if points.is_dir() and not points.is_symlink():  # a link is not a folder flowsim made: never follow it
        for point in points.glob("*"):
            if point.is_dir() and not point.is_symlink():
                for name in POINT_FILES:
                    (point / name).unlink(missing_ok=True)
                remove_leftovers(point, POINT_FILES)
                if not any(point.iterdir()):
                    point.rmdir()
        if not any(points.iterdir()):
            points.rmdir()
    remove_leftovers(folder, SWEEP_FILES)
    for name in SWEEP_FILES:
        (folder / name).unlink(missing_ok=True)


def load_points(folder: str | Path) -> pd.DataFrame:
    """The combined table of a finished sweep folder."""
    return pd.read_parquet(Path(folder) / "points.parquet")

