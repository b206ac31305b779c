"""Random numbers: one stream per sampling purpose, for common random numbers.

A replication's streams all descend from ``SeedSequence(seed).spawn(reps)[i]``,
so a replication is reproducible alone and identical whether run serially or
in another process. Within a replication each purpose (arrivals, the routing
at one stage, the work time at one stage, …) has its own stream keyed by a
stable hash of its name, so two scenarios that share a stage draw the same
numbers for it: the k-th person at ``full_assessment`` gets the same routing
draw and the same standard work-time variate in both.
"""
from __future__ import annotations

import zlib
from typing import Callable

import numpy as np

BLOCK = 512  # variates drawn at once; numpy is fast per block, slow per call


def replication_seeds(seed: int, reps: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(reps)


def generator(rep_seed: np.random.SeedSequence, purpose: str) -> np.random.Generator:
    """An independent generator for one purpose within one replication."""
    key = zlib.crc32(purpose.encode("utf-8"))
    child = np.random.SeedSequence(rep_seed.entropy, spawn_key=tuple(rep_seed.spawn_key) + (key,))
    return np.random.Generator(np.random.PCG64(child))


class Stream:
    """Variates from one generator, drawn (and transformed) a block at a time, handed out one by one."""

    __slots__ = ("_draw", "_gen", "_values")

    def __init__(self, gen: np.random.Generator, draw: Callable[[np.random.Generator, int], np.ndarray]):
        self._gen, self._draw = gen, draw
        self._values = iter(())

    def __call__(self) -> float:
        try:
            return next(self._values)
        except StopIteration:
            self._values = iter(self._draw(self._gen, BLOCK).tolist())
            return next(self._values)


def uniforms(gen: np.random.Generator) -> Stream:
    return Stream(gen, lambda g, n: g.random(n))


def exponentials(gen: np.random.Generator, mean: float, shift: float = 0.0) -> Stream:
    return Stream(gen, lambda g, n: mean * g.standard_exponential(n) + shift)


def lognormals(gen: np.random.Generator, mu: float, sigma: float, shift: float = 0.0) -> Stream:
    """exp(mu + sigma·Z) + shift, Z standard normal."""
    return Stream(gen, lambda g, n: np.exp(mu + sigma * g.standard_normal(n)) + shift)


def gammas(gen: np.random.Generator, shape: float, scale: float, shift: float = 0.0) -> Stream:
    return Stream(gen, lambda g, n: scale * g.standard_gamma(shape, n) + shift)
