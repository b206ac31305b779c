"""Writing results to disk so that an interrupted run never leaves a half-written file.

Each file is written to a temporary name in the same folder and renamed into
place (an atomic step on one file system). The manifest is written last: a
folder with a manifest holds a complete run.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

from flowsim.engine.replications import Results
from flowsim.errors import FlowsimError
from flowsim.scenario.load import scenario_hash
from flowsim.scenario.schema import Scenario
from flowsim.version import __version__


def write_atomic(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(temporary_path)`` then move the finished file to ``path``.

    A folder that is missing or not writable is a user mistake: FlowsimError names it.
    """
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as err:
        raise FlowsimError(f"{path}: cannot be written ({err.strerror})") from None
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes files private; results are for sharing
        os.replace(temporary, path)
    except BaseException as err:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise FlowsimError(f"{path}: cannot be written ({err.strerror})") from None
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def prepare_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FlowsimError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FlowsimError(f"{folder}: cannot create the output folder ({err.strerror})") from None
    return folder


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_run(results: Results, scenario: Scenario, folder: str | Path, started: dt.datetime,
              finished: dt.datetime) -> list[Path]:
    """Write summary.csv, kpis.csv, events.parquet, timeseries.parquet, packages.parquet and manifest.json."""
    folder = prepare_folder(folder)
    written = []
    tables = {"summary.csv": results.summary(), "kpis.csv": results.kpis}
    if results.events is not None:
        tables["events.parquet"] = results.events
    if results.timeseries is not None:
        tables["timeseries.parquet"] = results.timeseries
    if results.packages is not None:
        tables["packages.parquet"] = results.packages
    for name, frame in tables.items():
        write_frame(frame, folder / name)
        written.append(folder / name)
    manifest = {
        "scenario": scenario.name,
        "scenario_file": scenario.origin,
        "scenario_sha256": scenario_hash(scenario),
        "seed": results.seed,
        "reps": results.reps,
        "flowsim_version": __version__,
        "python": platform.python_version(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "files": [p.name for p in written],
    }
    write_text_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return written + [folder / "manifest.json"]
