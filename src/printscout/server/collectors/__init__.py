"""Collectors as a service: enrolment, mutual TLS, configuration, commands and check-ins."""
