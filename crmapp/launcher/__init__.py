"""Starts Tandem's embedded services (PostgreSQL, Redis) and its processes (worker, web app).

Used by `make run`, the test fixtures and the benchmarks, so all three start things the same way.
"""
