"""Honest answers about uncertainty: how many replications, which staffing meets a target,
how uncertain the inputs are and which of them drive a result."""
