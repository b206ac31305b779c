"""Installing: users get what they need, tests what they need, both at the versions tested; CI does
exactly what the README says."""
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition(";")[0].partition("==")
            pins[name.strip().lower()] = Version(version.strip())
    return pins


def test_every_dependency_is_bounded_and_its_tested_version_fits():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    for text in requirements:
        requirement = Requirement(text)
        assert any(spec.operator == "<" for spec in requirement.specifier), f"{text}: no upper bound"
        name = requirement.name.lower()
        assert name in pins, f"{name}: no tested version in constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}: {pins[name]} is outside {text}"


def test_users_install_no_test_tools_and_developers_get_them():
    users = (ROOT / "requirements.txt").read_text()
    developers = (ROOT / "requirements-dev.txt").read_text()
    assert "-c constraints.txt" in users and "-c constraints.txt" in developers
    assert re.search(r"^-e \.$", users, re.M) and "[test]" not in users
    assert re.search(r"^-e \.\[test\]$", developers, re.M)


def test_ci_runs_exactly_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    ci = [line for line in (ROOT / ".ci/run").read_text().splitlines()
          if line.startswith(("python ", "flowsim "))]
    readme_lines = [line for line in first_block.splitlines() if line.strip()]
    assert ci == readme_lines
    assert any("flowsim compare" in line for line in ci)  # the headline command runs in CI
