"""PrintScout test suite."""
