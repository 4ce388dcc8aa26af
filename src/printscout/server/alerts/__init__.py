"""Alerts: rules, the engine that opens and closes alerts, forecasts and notifications."""
