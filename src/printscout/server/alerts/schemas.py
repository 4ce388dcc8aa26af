"""The JSON bodies of the alert API (pydantic at the edge only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator

from printscout.server.alerts.rules import RuleKind
from printscout.server.api.common import MAX_ID, Name, Text, printable

BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Target = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
# A patch may leave these out, but not set them to null: the columns always hold a value.
_REQUIRED_IN_PATCH = ("name", "severity", "channel_ids", "enabled")

Severity = Literal["info", "warning", "critical"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleIn(_Body):
    """A new alert rule."""

    name: Name
    kind: RuleKind
    customer_id: BodyId | None = None
    site_id: BodyId | None = None
    threshold: float | None = Field(default=None, ge=0, le=1e9)
    errors: list[Text] | None = Field(default=None, max_length=50)
    severity: Severity = "warning"
    renotify_minutes: int | None = Field(default=None, ge=1, le=MAX_ID)
    clear_minutes: int | None = Field(
        default=10, ge=1, le=MAX_ID, description="gone this long: close"
    )
    channel_ids: list[BodyId] = Field(default=[], max_length=50)
    enabled: bool = True

    @model_validator(mode="after")
    def _percent(self) -> RuleIn:
        if self.kind is RuleKind.SUPPLY_LOW and self.threshold is not None and self.threshold > 100:
            raise ValueError("a supply threshold is a percentage (0-100)")
        return self


class RulePatch(_Body):
    """Changes to a rule; fields left out stay as they are."""

    name: Name | None = None
    threshold: float | None = Field(default=None, ge=0, le=1e9)
    errors: list[Text] | None = Field(default=None, max_length=50)
    severity: Severity | None = None
    renotify_minutes: int | None = Field(default=None, ge=1, le=MAX_ID)
    clear_minutes: int | None = Field(default=None, ge=1, le=MAX_ID)
    channel_ids: list[BodyId] | None = Field(default=None, max_length=50)
    enabled: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> RulePatch:
        for name in _REQUIRED_IN_PATCH:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        return self


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

    name: Name
    kind: Literal["email", "webhook"]
    target: Target
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    @model_validator(mode="after")
    def _target(self) -> ChannelIn:
        printable(self.target)
        if self.secret is not None:
            printable(self.secret)
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
