"""PrintScout benchmarks against its peers: ``python -m bench.run --out bench/results.json``."""
