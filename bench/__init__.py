"""Assay's benchmarks: each module measures one cost beside a baseline taken in the same run.

`python -m bench` runs them all and rewrites bench/RESULTS.md; `python -m bench --quick` is a
smoke run; `python -m bench autosave` runs one. Every module has `run(quick) -> dict`.
"""
