"""Benchmarks of skydesk, each measured against a floor in the same run (``python -m tests.benchmarks``)."""
