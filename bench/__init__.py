"""Benchmarks of the signing endpoint and the public letter page, run by `make bench`."""
