"""Benchmark harness for the corpus search backend: `bench/run --size 1k|10k|100k`."""
