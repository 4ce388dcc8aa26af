"""The data behind :mod:`manufacturers`: enterprise numbers, brand names and product lines as
printers spell them, rebadges, and the descriptions that say nothing. Tables only; the rules
that read them are in :mod:`manufacturers`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# IANA private enterprise number -> brand as sold. Sources: reference §1.2 (GLPI, Checkmk,
# vendor MIB roots, recordings). Numbers marked "Checkmk only" were not confirmed elsewhere.
ENTERPRISE_BRANDS: Final[Mapping[int, str]] = {
    2: "IBM",
    11: "HP",
    79: "Fujitsu",
    119: "NEC",
    122: "Sony",
    128: "Xerox",  # Tektronix tree, kept by Xerox Phaser devices
    186: "Toshiba",  # Checkmk only
    211: "Fujitsu",
    231: "Fujitsu",
    236: "Samsung",
    253: "Xerox",
    263: "Seiko",
    279: "Olivetti",
    297: "Fujifilm",  # Fuji Xerox, now FUJIFILM Business Innovation
    314: "Kodak",
    345: "Epson",  # Checkmk only
    367: "Ricoh",  # also Savin, Lanier, Gestetner, NRG
    396: "Panasonic",
    641: "Lexmark",
    674: "Dell",
    683: "Zebra",  # ZebraNet print servers (formerly ESI)
    1129: "Toshiba",
    1248: "Epson",
    1347: "Kyocera",  # also UTAX, TA Triumph-Adler, Copystar
    1472: "Sharp",  # Checkmk only
    1552: "Océ",
    1602: "Canon",
    2001: "OKI",
    2385: "Sharp",
    2435: "Brother",
    2565: "Avery Dennison",
    3793: "Lanier",
    4228: "Dascom",
    5502: "Canon",  # Aptex
    10504: "Printronix",
    10642: "Zebra",
    11369: "Lenovo",
    16653: "Zebra",  # Eltron, a Zebra line since 1998
    18334: "Konica Minolta",  # also Develop
    20438: "Citizen",
    24807: "Riso",
    25278: "Canon",
    25549: "Star Micronics",
    26696: "HP",  # GLPI maps .26696.1 to HP LaserJet Pro MFP models
    27748: "Canon",
    28708: "Fujifilm",
    28918: "InfoPrint",
    28959: "Fargo",
    33241: "Citizen",
    40093: "Pantum",
    42406: "SATO",
    44932: "Panasonic",
    51966: "TSC",
}

# Names as they appear in sysDescr, hrDeviceDescr and the 1284 MFG/MDL fields -> brand.
# Matched case-insensitively as whole words; spaces, hyphens and underscores are interchangeable
# and optional, and the longest name starting at the leftmost position wins, so "Seiko Epson"
# is Epson and "Fuji Xerox" is Fujifilm.
NAME_KEYWORDS: Final[Mapping[str, str]] = {
    "avery dennison": "Avery Dennison",
    "brother": "Brother",
    "canon": "Canon",
    "citizen": "Citizen",
    "copystar": "Copystar",
    "dascom": "Dascom",
    "dell": "Dell",
    "develop": "Develop",
    "eltron": "Zebra",
    "epson": "Epson",
    "fargo": "Fargo",
    "fuji xerox": "Fujifilm",
    "fujifilm": "Fujifilm",
    "fujitsu": "Fujitsu",
    "gestetner": "Gestetner",
    "hewlett packard": "HP",
    "hp": "HP",
    "ibm": "IBM",
    "infoprint": "InfoPrint",
    "infotec": "Infotec",
    "kodak": "Kodak",
    "konica": "Konica Minolta",
    "konica minolta": "Konica Minolta",
    "kyocera": "Kyocera",
    "kyocera mita": "Kyocera",
    "lanier": "Lanier",
    "lenovo": "Lenovo",
    "lexmark": "Lexmark",
    "minolta": "Konica Minolta",
    "nashuatec": "Nashuatec",
    "nec": "NEC",
    "nrg": "NRG",
    "oce": "Océ",
    "océ": "Océ",
    "oki": "OKI",
    "oki data": "OKI",
    "okidata": "OKI",
    "olivetti": "Olivetti",
    "panasonic": "Panasonic",
    "pantum": "Pantum",
    "printronix": "Printronix",
    "rex rotary": "Rex-Rotary",
    "ricoh": "Ricoh",
    "riso": "Riso",
    "samsung": "Samsung",
    "sato": "SATO",
    "savin": "Savin",
    "seiko": "Seiko",
    "seiko epson": "Epson",
    "sharp": "Sharp",
    "sindoh": "Sindoh",
    "sony": "Sony",
    "star micronics": "Star Micronics",
    "ta triumph adler": "TA Triumph-Adler",
    "tektronix": "Tektronix",
    "toshiba": "Toshiba",
    "toshiba tec": "Toshiba",
    "triumph adler": "TA Triumph-Adler",
    "tsc": "TSC",
    "utax": "UTAX",
    "xerox": "Xerox",
    "zebra": "Zebra",
    "zebranet": "Zebra",
    "ztc": "Zebra",  # Zebra Technologies Corporation, as in MDL "ZTC TLP 2824 Plus"
}

# Product lines that imply the brand when no brand name appears (weakest signal).
PRODUCT_LINES: Final[Mapping[str, str]] = {
    "altalink": "Xerox",
    "apeos": "Fujifilm",
    "apeosport": "Fujifilm",
    "bizhub": "Konica Minolta",
    "designjet": "HP",
    "deskjet": "HP",
    "docucentre": "Fujifilm",
    "docuprint": "Fujifilm",
    "ecosys": "Kyocera",
    "e studio": "Toshiba",
    "i sensys": "Canon",
    "imageclass": "Canon",
    "imagerunner": "Canon",
    "ineo": "Develop",
    "laserjet": "HP",
    "officejet": "HP",
    "pagewide": "HP",
    "phaser": "Xerox",
    "taskalfa": "Kyocera",
    "versalink": "Xerox",
    "workcentre": "Xerox",
}

# Brand as sold -> the engine makers whose PEN or 1284 MFG its devices may carry.
REBADGES: Final[Mapping[str, frozenset[str]]] = {
    "Savin": frozenset({"Ricoh"}),
    "Lanier": frozenset({"Ricoh"}),
    "Gestetner": frozenset({"Ricoh"}),
    "NRG": frozenset({"Ricoh"}),
    "Nashuatec": frozenset({"Ricoh"}),
    "Rex-Rotary": frozenset({"Ricoh"}),
    "Infotec": frozenset({"Ricoh"}),
    "InfoPrint": frozenset({"Ricoh", "Lexmark"}),
    "Develop": frozenset({"Konica Minolta"}),
    "UTAX": frozenset({"Kyocera"}),
    "TA Triumph-Adler": frozenset({"Kyocera"}),
    "Copystar": frozenset({"Kyocera"}),
    "Olivetti": frozenset({"Kyocera", "Konica Minolta"}),
    "Dell": frozenset({"Lexmark", "Fujifilm", "Samsung"}),
    "Xerox": frozenset({"Samsung", "Fujifilm", "Lexmark"}),
    "Fujifilm": frozenset({"Xerox"}),
    "HP": frozenset({"Samsung"}),
    "Tektronix": frozenset({"Xerox"}),
}

# hrDeviceDescr values that are placeholders from OEM firmware, not model names.
GENERIC_DESCRIPTIONS: Final = re.compile(r"^\s*(generic\b.*|printer|unknown|)\s*$", re.I)

# sysDescr values that describe a network interface or print server, not the printer model.
INTERFACE_DESCRIPTIONS: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(r"^HP ETHERNET MULTI-ENVIRONMENT", re.I),  # HP JetDirect
    re.compile(r"^Brother NC-", re.I),  # Brother network card
    re.compile(r"^Zebra(Net)?\s+Wire(d|less)\b", re.I),  # ZebraNet print server
    re.compile(r"\bBuilt-in$", re.I),  # Epson network interface
    re.compile(r"\bPrinting System$", re.I),  # Kyocera and its rebadges
    re.compile(r"\b(Print|Scan) Server\b", re.I),
    re.compile(r"\bEthernet\b", re.I),
)

# Long 1284 keys and serial-number variants -> the short canonical key.
DEVICE_ID_ALIASES: Final[Mapping[str, str]] = {
    "MANUFACTURER": "MFG",
    "MODEL": "MDL",
    "COMMAND SET": "CMD",
    "COMMANDSET": "CMD",
    "CLASS": "CLS",
    "DESCRIPTION": "DES",
    "SERIALNUMBER": "SN",
    "SERIAL NUMBER": "SN",
    "SERN": "SN",
    "SER": "SN",
}
