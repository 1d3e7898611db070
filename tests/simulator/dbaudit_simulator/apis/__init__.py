"""Handlers for the simulated services, one module per service plus the simulator's own control API."""
