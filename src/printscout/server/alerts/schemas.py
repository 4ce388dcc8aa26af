"""The JSON bodies of the alert API (pydantic at the edge only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from printscout.server.alerts.rules import RuleKind

Severity = Literal["info", "warning", "critical"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleIn(_Body):
    """A new alert rule."""

    name: str = Field(min_length=1, max_length=200)
    kind: RuleKind
    customer_id: int | None = None
    site_id: int | None = None
    threshold: float | None = Field(default=None, ge=0)
    errors: list[str] | None = None
    severity: Severity = "warning"
    renotify_minutes: int | None = Field(default=None, ge=1)
    clear_minutes: int | None = Field(default=10, ge=1, description="gone this long: close")
    channel_ids: list[int] = []
    enabled: bool = True

    @model_validator(mode="after")
    def _percent(self) -> RuleIn:
        if self.kind is RuleKind.SUPPLY_LOW and self.threshold is not None and self.threshold > 100:
            raise ValueError("a supply threshold is a percentage (0-100)")
        return self


class RulePatch(_Body):
    """Changes to a rule; fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    threshold: float | None = Field(default=None, ge=0)
    errors: list[str] | None = None
    severity: Severity | None = None
    renotify_minutes: int | None = Field(default=None, ge=1)
    clear_minutes: int | None = Field(default=None, ge=1)
    channel_ids: list[int] | None = None
    enabled: bool | None = None


class RuleOut(BaseModel):
    """A rule as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    customer_id: int | None
    site_id: int | None
    threshold: float | None
    errors: list[str] | None
    severity: str
    renotify_minutes: int | None
    clear_minutes: int | None
    channel_ids: list[int]
    enabled: bool


class ChannelIn(_Body):
    """A new notification channel: email addresses, or a webhook URL with its signing secret."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["email", "webhook"]
    target: str = Field(min_length=3)
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    @model_validator(mode="after")
    def _target(self) -> ChannelIn:
        if self.kind == "webhook":
            HttpUrl(self.target)
        elif "@" not in self.target:
            raise ValueError("an email channel's target is one or more addresses")
        return self


class ChannelOut(BaseModel):
    """A channel; the secret is never shown again."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    target: str
    signed: bool


class AlertOut(BaseModel):
    """An alert."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int
    kind: str
    severity: str
    customer_id: int
    site_id: int
    device_id: int | None
    collector_id: int | None
    subject: str
    condition: str
    message: str
    value: float | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    notifications: int


class EventOut(BaseModel):
    """One entry of an alert's history."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    message: str
    value: float | None
    user_id: int | None


class AlertDetailOut(BaseModel):
    """An alert, its history and its delivery log."""

    alert: AlertOut
    events: list[EventOut]
    deliveries: list[dict[str, Any]]
