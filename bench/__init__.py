"""Benchmarks of the subdomain bot: run each as `python -m bench.NAME` (see README.md)."""
