"""Notification transports (email, webhook) and the dispatcher that sends the outbox."""
