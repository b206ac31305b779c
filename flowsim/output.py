"""Writing results to disk so that an interrupted run never leaves a half-written file.

Each file is written to a temporary name in the same folder (``.name.XXXX.part``)
and renamed into place (an atomic step on one file system). The manifest is
written last and lists each file's SHA-256: a folder with a manifest holds a
complete run. A run into a folder that already holds one first marks the
folder as being written (``.flowsim-writing``) and removes the old manifest,
before any new file is written, so a run killed halfway leaves no manifest
vouching for a mix of old and new files. flowsim deletes only files it wrote:
its own leftover ``.part`` files, and never overwrites results it did not write
unless told to (``force``).
"""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import platform
import shlex
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import yaml

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


def write_scenario_yaml(path: Path, document: dict, header: str = "") -> None:
    """A scenario document as YAML (keys in the scenario's order), after ``header`` comment lines."""
    write_text_atomic(path, header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))


def prepare_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FlowsimError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FlowsimError(f"{folder}: cannot create the output folder ({err.strerror})") from None
    return folder


def remove_leftovers(folder: Path, names: Iterable[str]) -> None:
    """Delete the temporary files of writes cut short (``.name.XXXX.part``), for flowsim's own file names only."""
    for name in names:
        for leftover in folder.glob(f".{glob.escape(name)}.*.part"):
            leftover.unlink(missing_ok=True)


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


RUN_FILES = ("summary.csv", "kpis.csv", *(f"{stem}.{suffix}" for stem in ("events", "timeseries", "packages")
                                         for suffix in ("parquet", "csv")), "manifest.json")
COMPARISON_FILES = ("comparison.csv", "savings.csv", "manifest.json")
WRITING = ".flowsim-writing"  # present while a run is being written into the folder


def check_folder(folder: str | Path, names: Iterable[str] = RUN_FILES, force: bool = False) -> None:
    """Refuse a folder holding results under flowsim's names that flowsim did not write (unless ``force``)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FlowsimError(f"{folder}: exists and is not a folder")
    ours = (folder / "manifest.json").exists() or (folder / WRITING).exists()
    present = [n for n in names if (folder / n).exists()]
    if present and not ours and not force:
        raise FlowsimError(f"{folder}: holds {', '.join(present)} that flowsim did not write (no manifest.json); "
                           "choose another folder, or add --force to replace them")


def claim_folder(folder: str | Path, names: Iterable[str] = RUN_FILES, force: bool = False) -> Path:
    """Make ``folder`` ready for new results: refuse results flowsim did not write (unless ``force``),
    then mark it as being written and remove the old manifest, before any new file is written."""
    folder = prepare_folder(folder)
    names = list(names)
    check_folder(folder, names, force)
    write_text_atomic(folder / WRITING, "flowsim is writing results here; without manifest.json they are "
                                        "incomplete\n")
    (folder / "manifest.json").unlink(missing_ok=True)
    remove_leftovers(folder, names)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_run(results: Results, scenario: Scenario, folder: str | Path, started: dt.datetime,
              finished: dt.datetime, file_format: str = "parquet", command: str | None = None,
              force: bool = False) -> list[Path]:
    """Write summary.csv, kpis.csv, the event log, daily series and packages (Parquet, CSV or both)
    and manifest.json (``command``: the command that made them; by default this program's arguments)."""
    if file_format not in FORMATS:
        raise FlowsimError(f"--format {file_format!r}: must be one of {', '.join(FORMATS)}")
    folder = claim_folder(folder, RUN_FILES, force)
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
    for name in RUN_FILES:  # a table this run does not have must not be left from an earlier run
        if name not in tables and name != "manifest.json":
            (folder / name).unlink(missing_ok=True)
    manifest = {"scenario": scenario.name, "scenario_file": scenario.origin,
                "scenario_sha256": scenario_hash(scenario), "seed": results.seed, "reps": results.reps}
    return _finish(folder, manifest, written, [p.name for p in written], started, finished, command)


def _finish(folder: Path, manifest: dict, written: list[Path], files: list[str], started: dt.datetime,
            finished: dt.datetime, command: str | None) -> list[Path]:
    """Write manifest.json last, with how the files were made and their checksums: the folder is then complete."""
    manifest |= {
        "flowsim_version": __version__,
        "python": platform.python_version(),
        "packages": package_versions(),
        "command": command or command_line(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "files": files,
        "sha256": {p.name: _sha256(p) for p in written},
    }
    write_text_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    (folder / WRITING).unlink(missing_ok=True)
    return written + [folder / "manifest.json"]


def write_comparison(comparison, a: Scenario, b: Scenario, saved: pd.DataFrame, folder: str | Path,
                     started: dt.datetime, finished: dt.datetime, command: str | None = None,
                     file_format: str = "parquet", force: bool = False) -> list[Path]:
    """Write comparison.csv (A, B and B − A per KPI), savings.csv (A − B per period and part),
    each side's run files in a/ and b/, and manifest.json last."""
    folder = claim_folder(folder, COMPARISON_FILES, force)
    written = []
    for name, frame in (("comparison.csv", comparison.table()), ("savings.csv", saved)):
        write_frame(frame, folder / name)
        written.append(folder / name)
    for side, results, scenario in (("a", comparison.a, a), ("b", comparison.b, b)):
        write_run(results, scenario, folder / side, started, finished, file_format, command, force)
    manifest = {"a": {"scenario": a.name, "scenario_file": a.origin, "scenario_sha256": scenario_hash(a)},
                "b": {"scenario": b.name, "scenario_file": b.origin, "scenario_sha256": scenario_hash(b)},
                "seed": comparison.a.seed, "reps": comparison.a.reps}
    return _finish(folder, manifest, written, [p.name for p in written] + ["a/", "b/"], started, finished, command)
