"""Shared helpers for tests and benchmarks: third-party SNMP agents on loopback."""
