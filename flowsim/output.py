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
import shlex
import sys
import tempfile
from importlib import metadata
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


FORMATS = ("parquet", "csv", "both")
# What a run's results depend on besides flowsim itself: recorded in every manifest.
RECORDED_PACKAGES = ("simpy", "numpy", "scipy", "pandas", "networkx", "pydantic", "PyYAML", "pyarrow")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a run's numbers depend on."""
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def command_line() -> str:
    """The command as typed (program name and arguments), for the manifest."""
    program = Path(sys.argv[0]).name
    return shlex.join(["python -m flowsim" if program == "__main__.py" else program, *sys.argv[1:]])


def write_run(results: Results, scenario: Scenario, folder: str | Path, started: dt.datetime,
              finished: dt.datetime, file_format: str = "parquet", command: str | None = None) -> list[Path]:
    """Write summary.csv, kpis.csv, the event log, daily series and packages (Parquet, CSV or both)
    and manifest.json (``command``: the command that made them; by default this program's arguments)."""
    if file_format not in FORMATS:
        raise FlowsimError(f"--format {file_format!r}: must be one of {', '.join(FORMATS)}")
    folder = prepare_folder(folder)
    written = []
    tables = {"summary.csv": results.summary(), "kpis.csv": results.kpis}
    suffixes = [".parquet", ".csv"] if file_format == "both" else [f".{file_format}"]
    for stem, frame in (("events", results.events), ("timeseries", results.timeseries),
                        ("packages", results.packages)):
        if frame is not None:
            tables.update({stem + suffix: frame for suffix in suffixes})
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
        "packages": package_versions(),
        "command": command or command_line(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "files": [p.name for p in written],
    }
    write_text_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return written + [folder / "manifest.json"]


def write_comparison(comparison, a: Scenario, b: Scenario, saved: pd.DataFrame, folder: str | Path,
                     started: dt.datetime, finished: dt.datetime, command: str | None = None,
                     file_format: str = "parquet") -> list[Path]:
    """Write comparison.csv (A, B and B − A per KPI), savings.csv (A − B per period and part),
    each side's run files in a/ and b/, and manifest.json last."""
    folder = prepare_folder(folder)
    written = []
    for name, frame in (("comparison.csv", comparison.table()), ("savings.csv", saved)):
        write_frame(frame, folder / name)
        written.append(folder / name)
    for side, results, scenario in (("a", comparison.a, a), ("b", comparison.b, b)):
        write_run(results, scenario, folder / side, started, finished, file_format, command)
    manifest = {
        "a": {"scenario": a.name, "scenario_file": a.origin, "scenario_sha256": scenario_hash(a)},
        "b": {"scenario": b.name, "scenario_file": b.origin, "scenario_sha256": scenario_hash(b)},
        "seed": comparison.a.seed,
        "reps": comparison.a.reps,
        "flowsim_version": __version__,
        "python": platform.python_version(),
        "packages": package_versions(),
        "command": command or command_line(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "files": [p.name for p in written] + ["a/", "b/"],
    }
    write_text_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return written + [folder / "manifest.json"]
