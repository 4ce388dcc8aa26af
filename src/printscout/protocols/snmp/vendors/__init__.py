"""Vendor profiles, one module per manufacturer, and the registry that picks one for a device.

Every module of this package that defines ``PROFILE`` (a
:class:`~printscout.protocols.snmp.vendors.base.VendorProfile`) is a vendor; the registry finds
them by itself, so adding a vendor is adding a module (copy one) and a recording. The profile of
a device is chosen by the enterprise number of its sysObjectID, else by the brand that
``domain.manufacturers.identify_manufacturer`` names (rebadged brands map to their engine
maker's profile: Savin to Ricoh, UTAX to Kyocera, Develop to Konica Minolta).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from printscout.protocols.snmp.vendors.base import VendorProfile

_ENTERPRISES: Final = (1, 3, 6, 1, 4, 1)


def _load() -> tuple[VendorProfile, ...]:
    """Import every module of the package and keep those that define a profile."""
    found: list[VendorProfile] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        profile = getattr(loaded, "PROFILE", None)
        if isinstance(profile, VendorProfile):
            found.append(profile)
    return tuple(found)


PROFILES: Final = _load()
BY_ENTERPRISE: Final[Mapping[int, VendorProfile]] = MappingProxyType(
    {pen: p for p in PROFILES for pen in p.enterprises}
)
BY_BRAND: Final[Mapping[str, VendorProfile]] = MappingProxyType(
    {brand.casefold(): p for p in PROFILES for brand in p.brands}
)


def profile_for_object_id(sys_object_id: object) -> VendorProfile | None:
    """The profile of the enterprise that a sysObjectID (an OID tuple) names, if any."""
    if (
        isinstance(sys_object_id, tuple)
        and len(sys_object_id) > len(_ENTERPRISES)
        and sys_object_id[: len(_ENTERPRISES)] == _ENTERPRISES
    ):
        return BY_ENTERPRISE.get(sys_object_id[len(_ENTERPRISES)])
    return None


def profile_for(sys_object_id: object, manufacturer: str | None) -> VendorProfile | None:
    """The profile by sysObjectID enterprise first, then by the manufacturer's brand name."""
    found = profile_for_object_id(sys_object_id)
    if found is None and manufacturer:
        found = BY_BRAND.get(manufacturer.casefold())
    return found
