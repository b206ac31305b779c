"""Timed calls on simpy's event queue: in the order simpy's own timeouts would run."""
import pytest
import simpy

from flowsim.engine.calls import later


def test_calls_and_timeouts_at_one_time_run_in_the_order_scheduled():
    env, seen = simpy.Environment(), []
    for i, delay in enumerate([2.0, 1.0, 2.0, 1.0, 0.0, 2.0]):
        if i % 2:
            env.timeout(delay, i).callbacks.append(lambda event: seen.append((env.now, event.value)))
        else:
            later(env, delay, lambda call: seen.append((env.now, call.value)), i)
    later(env, 1.5, lambda call: later(env, 0.5, lambda c: seen.append((env.now, c.value)), "from a call"))
    env.run(until=10)
    assert seen == [(0.0, 4), (1.0, 1), (1.0, 3), (2.0, 0), (2.0, 2), (2.0, 5), (2.0, "from a call")]


def test_a_call_in_the_past_is_refused():
    with pytest.raises(ValueError, match="negative delay"):
        later(simpy.Environment(), -0.1, lambda call: None)
