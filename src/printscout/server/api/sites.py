"""Customers (read) and sites (read, create, rename, delete) of the caller's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from printscout.server.api.common import (
    DEFAULT_PAGE,
    MAX_ID,
    ApiModel,
    Cursor,
    FilterId,
    ItemId,
    Limit,
    Name,
    feature_router,
    page_of,
)
from printscout.server.api.queries import within
from printscout.server.api.schemas import Ref
from printscout.server.scope import CurrentScope, WritableScope
from printscout.storage.accounts import Collector, Customer, Scope, Site
from printscout.storage.fleet import Device
from printscout.storage.session import Database

router = feature_router("sites")
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such site in your scope"}}


class CustomerPage(BaseModel):
    """A page of customers; ask again with ``cursor=next_cursor`` while it is not null."""

    items: list[Ref]
    next_cursor: int | None


class SiteOut(BaseModel):
    """A site, its customer and what it holds."""

    id: int
    name: str
    customer: Ref
    created_at: datetime
    devices: int
    collectors: int


class SitePage(BaseModel):
    """A page of sites; ask again with ``cursor=next_cursor`` while it is not null."""

    items: list[SiteOut]
    next_cursor: int | None


class SiteCreate(ApiModel):
    """A new site of a customer in your scope."""

    customer_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    name: Name


class SiteUpdate(ApiModel):
    """Changes to a site (fields left out stay as they are)."""

    name: Name | None = None


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _sites(scope: Scope) -> Any:
    devices = (
        select(func.count()).where(Device.site_id == Site.id).correlate(Site).scalar_subquery()
    )
    collectors = (
        select(func.count())
        .where(Collector.site_id == Site.id, Collector.revoked_at.is_(None))
        .correlate(Site)
        .scalar_subquery()
    )
    query = select(
        Site.id, Site.name, Customer.id, Customer.name, Site.created_at, devices, collectors
    ).join(Customer, Customer.id == Site.customer_id)
    return within(query, scope).order_by(Site.id)


def _site_out(row: Any) -> SiteOut:
    site_id, name, customer_id, customer, created_at, devices, collectors = row
    return SiteOut(
        id=site_id,
        name=name,
        customer=Ref(id=customer_id, name=customer),
        created_at=created_at,
        devices=devices,
        collectors=collectors,
    )


def _site(session: Session, scope: Scope, site_id: int) -> SiteOut:
    row = session.execute(_sites(scope).where(Site.id == site_id)).one_or_none()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such site")
    return _site_out(row)


def _refuse_taken_name(session: Session, customer_id: int, name: str) -> None:
    taken = select(Site.id).where(Site.customer_id == customer_id, Site.name == name)
    if session.scalar(taken) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "the customer has a site of that name")


@router.get("/customers", response_model=CustomerPage)
def get_customers(
    request: Request, scope: CurrentScope, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE
) -> CustomerPage:
    """The customers you may see, by id."""
    query = within(select(Customer.id, Customer.name), scope).order_by(Customer.id)
    if cursor is not None:
        query = query.where(Customer.id >= cursor)
    with _db(request).reader() as session:
        rows = [Ref(id=i, name=n) for i, n in session.execute(query.limit(limit + 1))]
    page, following = page_of(rows, limit, lambda ref: ref.id)
    return CustomerPage(items=page, next_cursor=following)


@router.get("/sites", response_model=SitePage)
def get_sites(
    request: Request,
    scope: CurrentScope,
    customer_id: FilterId = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> SitePage:
    """The sites you may see, by id, optionally of one customer."""
    query = _sites(scope)
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    if cursor is not None:
        query = query.where(Site.id >= cursor)
    with _db(request).reader() as session:
        rows = [_site_out(row) for row in session.execute(query.limit(limit + 1))]
    page, following = page_of(rows, limit, lambda site: site.id)
    return SitePage(items=page, next_cursor=following)


@router.get("/sites/{site_id}", response_model=SiteOut, responses=NOT_FOUND)
def get_site(request: Request, scope: CurrentScope, site_id: ItemId) -> SiteOut:
    """One site."""
    with _db(request).reader() as session:
        return _site(session, scope, site_id)


@router.post(
    "/sites",
    response_model=SiteOut,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "name taken"}},
)
def post_site(request: Request, scope: WritableScope, body: SiteCreate) -> SiteOut:
    """Create a site for a customer in your scope."""
    with _db(request).writer() as session:
        customer = within(select(Customer.id), scope).where(Customer.id == body.customer_id)
        if session.scalar(customer) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such customer")
        _refuse_taken_name(session, body.customer_id, body.name)
        site = Site(customer_id=body.customer_id, name=body.name)
        session.add(site)
        session.flush()
        return _site(session, scope, site.id)


@router.patch(
    "/sites/{site_id}",
    response_model=SiteOut,
    responses={**NOT_FOUND, 409: {"description": "name taken"}},
)
def patch_site(
    request: Request, scope: WritableScope, site_id: ItemId, body: SiteUpdate
) -> SiteOut:
    """Rename a site."""
    with _db(request).writer() as session:
        found = _site(session, scope, site_id)
        if body.name is not None and body.name != found.name:
            _refuse_taken_name(session, found.customer.id, body.name)
            site = session.get_one(Site, site_id)
            site.name = body.name
            session.flush()
        return _site(session, scope, site_id)


@router.delete(
    "/sites/{site_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**NOT_FOUND, 409: {"description": "the site still has devices or collectors"}},
)
def delete_site(request: Request, scope: WritableScope, site_id: ItemId) -> Response:
    """Delete an empty site (one without devices or active collectors)."""
    with _db(request).writer() as session:
        found = _site(session, scope, site_id)
        if found.devices or found.collectors:
            raise HTTPException(
                status.HTTP_409_CONFLICT, "the site still has devices or active collectors"
            )
        session.delete(session.get_one(Site, site_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
