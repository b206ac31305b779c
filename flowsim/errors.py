"""Errors a user can cause, collected so every mistake is reported at once.

The library raises these; the CLI prints them and exits 2, the app shows them.
A traceback is only ever shown for a fault in flowsim itself.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class FlowsimError(Exception):
    """A user mistake: bad file, bad value, impossible request."""


class InputError(FlowsimError):
    """One or more problems with an input file or an override."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, path: str, message: str) -> "InputError":
        return cls([Problem(file, path, message)])


class RunFailed(FlowsimError):
    """A simulation that could not finish or was refused: too much work, or its worker process died twice."""
