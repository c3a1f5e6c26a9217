"""The example pipeline: a source feeds a bounded queue, a pool of workers handles the jobs.

Replace the example job and source with your own work; keep the wiring: the pool's per-job
timeout, retries with backoff, and the drain on shutdown come with it.
"""
