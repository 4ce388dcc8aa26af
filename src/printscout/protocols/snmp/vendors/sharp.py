"""Sharp: firmware and serial objects, and the labelled counter table."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterTable,
    IdentityObject,
    TableCounter,
    VendorProfile,
    keys,
    oid,
)

_COUNTS = "1.3.6.1.4.1.2385.1.1.19.2.1"  # .3 value, .4 label; index function.group.kind
_REC = "Rec: sharp (MX-3570N); Peer: LibreNMS"
_COLOR_TOTALS = ("Full Color Total Count", "Two Color Total Count", "Single Color Total Count")

PROFILE = VendorProfile(
    name="Sharp",
    enterprises=(2385,),
    sys_object_id_prefixes=("1.3.6.1.4.1.2385.3.1",),
    brands=("Sharp",),
    identity=(
        IdentityObject("serial", oid("1.3.6.1.4.1.2385.2.1.1.2.1.3.1"), "Peer: LibreNMS"),
        IdentityObject("model", oid("1.3.6.1.4.1.2385.2.1.3.2.1.4.13501.1302.1"), "Peer: LibreNMS"),
        IdentityObject("firmware", oid("1.3.6.1.4.1.2385.2.1.1.2.1.2.1"), "Peer: LibreNMS; Rec"),
    ),
    counter_tables=(
        CounterTable(
            "sharp-counters",
            values=oid(f"{_COUNTS}.3"),
            key_columns=(oid(f"{_COUNTS}.4"),),
            counters=(
                TableCounter("total", keys("Black & White Total Count", *_COLOR_TOTALS), _REC),
                TableCounter("mono", keys("Black & White Total Count"), _REC),
                TableCounter("color", keys(*_COLOR_TOTALS), _REC),
                TableCounter("print", keys("Prints"), _REC),
                TableCounter("copy", keys("Copies"), _REC),
                TableCounter("scan", keys("Scan to E-mail/FTP"), _REC),
            ),
            evidence=_REC,
            expected_rows=30,
        ),
    ),
    notes=(
        "Rows are matched by their label (.4), so models with other rows still read;"
        " 'Other Count' rows (function 5 group 5) are not part of the totals.",
        "The model object is empty on the recorded MX-3570N; hrDeviceDescr names the model.",
    ),
)
