"""Fuzzing the command line with mutated copies of the shipped scenarios (a release check).

Each case is one shipped scenario changed the way a careless or hostile user
might change it: a value of the wrong type, a deleted field, a huge, negative,
NaN or infinite number, unicode and console markup, deep nesting, YAML aliases,
a duplicated key, shares adding up to 0.999999 or 1.0000001, an empty or
binary file, a ``!!python/object`` tag. ``validate``, ``flows --json`` and,
when the file is valid, a short ``run`` (7 days, 1 replication) must each
exit 0 or 2 with no traceback, within a time limit, and ``--json`` must be
strict JSON. Cases are made from a fixed seed, so a failing case can be made
again from its number.

    python bench/fuzz.py --cases 2000            # cases run in subprocesses of 50, each case timed
    python bench/fuzz.py --cases 2000 --seed 7   # another set

tests/test_fuzz.py runs a few dozen of the same cases in the normal test run.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's flowsim, whatever is installed
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
CASE_SECONDS = 60  # one case (validate, flows and a short run) on a loaded machine

WEIRD_NUMBERS = [1e9, 1e300, -1, -1e9, 0, 1e-9, math.nan, math.inf, -math.inf, 10**30, 2.5, True]
WEIRD_TEXT = ["[/x]", "barnet [draft]", "Ω ünïcødé 🙂", "\u202eevil", "", " ", "x" * 5000, "{ref: nope}",
              "2015-13-01", "9999-06-01", "0001-01-01", "rest", "null", "<img src=http://x/a.png>"]
TEXT_ATTACKS = [
    "",
    b"\x00\x01\x02binary\xff\xfe",
    "!!python/object/apply:os.system ['echo hacked']\n",
    "name: !!python/object:datetime.date {}\n",
    "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
    "[" * 5000 + "]" * 5000,
    "- " * 3000 + "x\n",
]


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,), value
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield path + (i,), value
            yield from _leaves(value, path + (i,))


def _parent(document, path):
    node = document
    for part in path[:-1]:
        node = node[part]
    return node


def _share_groups(document):
    """Paths of mappings whose values are all shares (routes, sources, localities)."""
    return [path for path, value in _leaves(document)
            if isinstance(value, dict) and len(value) >= 2
            and all(isinstance(v, float) and 0 <= v <= 1 for v in value.values())]


def mutate(text: str, rng: random.Random) -> tuple[str, str | bytes]:
    """One mutated scenario file: (what was done, the new text)."""
    kind = rng.choice(["type", "delete", "number", "text", "nest", "alias", "duplicate", "shares", "attack",
                       "date", "key", "lines", "scale", "scale", "scale"])
    if kind == "attack":
        return "attack", rng.choice(TEXT_ATTACKS)
    if kind == "duplicate":
        lines = text.splitlines()
        candidates = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith(("#", "-"))]
        i = rng.choice(candidates)
        return f"duplicate line {i + 1}", "\n".join(lines[:i + 1] + [lines[i]] + lines[i + 1:]) + "\n"
    if kind == "lines":
        lines = text.splitlines()
        i = rng.randrange(len(lines))
        return f"line {i + 1} deleted", "\n".join(lines[:i] + lines[i + 1:]) + "\n"
    document = yaml.safe_load(text)
    leaves = list(_leaves(document))
    path, value = rng.choice(leaves)
    parent = _parent(document, path)
    where = ".".join(map(str, path))
    if kind == "type":
        parent[path[-1]] = rng.choice([{"a": 1}, [1, 2], "text", None, True, [{"x": {"y": 1}}]])
    elif kind == "delete":
        del parent[path[-1]]
    elif kind == "number":
        numbers = [(p, v) for p, v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
        path, _ = rng.choice(numbers)
        where = ".".join(map(str, path))
        _parent(document, path)[path[-1]] = rng.choice(WEIRD_NUMBERS)
    elif kind == "text":
        parent[path[-1]] = rng.choice(WEIRD_TEXT)
    elif kind == "key":
        mappings = [(p, v) for p, v in leaves if isinstance(v, dict) and v]
        path, mapping = rng.choice(mappings)
        where = ".".join(map(str, path))
        old = rng.choice(list(mapping))
        mapping[rng.choice(WEIRD_TEXT) or "k"] = mapping.pop(old)
    elif kind == "nest":
        deep = rng.choice([1, 2])
        for _ in range(rng.choice([20, 150])):
            deep = {"x": deep} if rng.random() < 0.5 else [deep]
        parent[path[-1]] = deep
    elif kind == "alias":  # one mapping used in two places: written once with an anchor, then as *alias
        worked = [name for name, stage in document["stages"].items() if isinstance(stage.get("work"), dict)]
        first, second = rng.sample(worked, 2)
        document["stages"][second]["work"] = document["stages"][first]["work"]
        where = f"stages.{second}.work"
    elif kind == "scale":  # a valid file more often than not: a number a few times larger or smaller
        numbers = [(p, v) for p, v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
        path, value = rng.choice(numbers)
        where = ".".join(map(str, path))
        scaled = value * rng.choice([0, 0.5, 2, 10, 1000])
        _parent(document, path)[path[-1]] = int(scaled) if isinstance(value, int) else scaled
    elif kind == "shares":
        groups = _share_groups(document)
        if groups:
            path = rng.choice(groups)
            where = ".".join(map(str, path))
            group = _parent(document, path)[path[-1]] if path else document
            key = rng.choice(list(group))
            group[key] = group[key] + rng.choice([-1e-6, 1e-7, -1e-10, 1e-10])
    elif kind == "date":
        document.setdefault("time", {})["start_date"] = rng.choice(
            ["9999-06-01", "0001-01-01", "1989-12-31", "2100-12-30", "2015-02-29", 20150401])
        where = "time.start_date"
    return f"{kind} at {where}", yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def cases(count: int, seed: int = 0, start: int = 0):
    """``count`` fuzz cases from case number ``start``: (number, scenario, what, text)."""
    for number in range(start, start + count):
        rng = random.Random(f"{seed}:{number}")
        scenario = SCENARIOS[number % len(SCENARIOS)]
        what, text = mutate(scenario.read_text(encoding="utf-8"), rng)
        yield number, scenario.name, what, text


class Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise Timeout in this (main) thread after ``seconds``."""
    def expire(*_):
        raise Timeout(f"no answer after {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _strict_json(text: str) -> None:
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    json.loads(text, parse_constant=refuse)


def check_case(path: Path, seconds: float = CASE_SECONDS, run: bool = True) -> list[str]:
    """Problems with flowsim's answers for one file: exit codes, tracebacks, JSON, time (empty: all good)."""
    from click.testing import CliRunner

    from flowsim.cli import main

    runner = CliRunner()
    problems = []
    commands = [["validate", str(path)], ["flows", str(path), "--json"]]
    with time_limit(seconds):
        try:
            for args in commands:
                result = runner.invoke(main, args)
                problems += _answer_problems(args, result)
                if args[0] == "validate" and result.exit_code != 0:
                    return problems  # an invalid file: flows must refuse it too, but there is nothing to run
                if args[0] == "flows" and result.exit_code == 0:
                    _strict_json(result.stdout)
            if run:
                args = ["run", str(path), "--days", "7", "--reps", "1", "--processes", "1", "--json"]
                result = runner.invoke(main, args)
                problems += _answer_problems(args, result)
                if result.exit_code == 0:
                    _strict_json(result.stdout)
        except Timeout as error:
            problems.append(str(error))
        except ValueError as error:
            problems.append(str(error))
    return problems


def _answer_problems(args: list[str], result) -> list[str]:
    problems = []
    if result.exit_code not in (0, 2):
        problems.append(f"{args[0]}: exit {result.exit_code}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"{args[0]}: {type(result.exception).__name__}: {result.exception}")
    if "Traceback" in result.output:
        problems.append(f"{args[0]}: a traceback in its output")
    return problems


def write_case(path: Path, text: str | bytes) -> None:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def run_chunk(seed: int, start: int, count: int) -> None:
    """Run cases in this process, printing one JSON line per case (used by ``main`` in a subprocess)."""
    with tempfile.TemporaryDirectory() as folder:
        for number, scenario, what, text in cases(count, seed, start):
            path = Path(folder) / f"case_{number}.yaml"
            write_case(path, text)
            problems = check_case(path)
            print(json.dumps({"case": number, "scenario": scenario, "what": what, "problems": problems}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=50, help="cases per subprocess")
    parser.add_argument("--worker", nargs=2, type=int, metavar=("START", "COUNT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        run_chunk(options.seed, *options.worker)
        return 0
    started, done, failed, lost = time.time(), 0, [], []
    for start in range(0, options.cases, options.chunk):
        count = min(options.chunk, options.cases - start)
        try:
            finished = subprocess.run(
                [sys.executable, __file__, "--seed", str(options.seed), "--worker", str(start), str(count)],
                capture_output=True, text=True, timeout=count * CASE_SECONDS + 120, cwd=ROOT)
            output = finished.stdout
        except subprocess.TimeoutExpired as expired:
            output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        seen = set()
        for line in output.splitlines():
            record = json.loads(line)
            seen.add(record["case"])
            done += 1
            if record["problems"]:
                failed.append(record)
                print(json.dumps(record), flush=True)
        lost += [n for n in range(start, start + count) if n not in seen]
        print(f"{done:,} cases, {len(failed)} failing, {len(lost)} lost, {time.time() - started:.0f} s",
              file=sys.stderr, flush=True)
    print(f"fuzz seed {options.seed}: {done:,} cases run, {len(failed)} failing, {len(lost)} lost "
          f"(a subprocess died or hung) in {time.time() - started:.0f} s")
    return 1 if failed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
