"""The discrete-event engine: one replication (model), its tables (results), many (replications)."""
from flowsim.engine.replications import Comparison, Results, compare, mean_ci, run

__all__ = ["Comparison", "Results", "compare", "mean_ci", "run"]
