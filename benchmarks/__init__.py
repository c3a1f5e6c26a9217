"""Benchmarks: figures, each measured beside its baseline in the same run."""
