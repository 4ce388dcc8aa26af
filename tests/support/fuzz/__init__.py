"""A seeded, structure-aware fuzzing harness for the project's decoders (tests and bench)."""
