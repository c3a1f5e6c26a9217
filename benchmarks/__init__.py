"""Benchmarks: what the template costs its users, each figure measured beside its baseline in
the same run. Run `python -m benchmarks --help`; README.md's "Benchmarks" section has the
latest results."""
