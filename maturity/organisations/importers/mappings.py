"""Small hand-made tables the reference files cannot give, each with its reason and source.

Pure Python (no Django). Every table is used by an import step and checked by tests against the
shipped data (e.g. every CQC local-authority name in the samples resolves).
"""

from __future__ import annotations

import datetime as dt
import re

# Integrated care boards were established on 1 July 2022 (Health and Care Act 2022). No ICB link
# starts earlier.
ICB_ERA_START = dt.date(2022, 7, 1)
# The 42 → 36 ICB reorganisation took effect on 1 April 2026 (ODS successions, all dated then).
ICB_2026_CHANGE = dt.date(2026, 4, 1)

ENGLAND = ("E92000001", "England")
WALES = ("W92000004", "Wales")
WELSH_COMMISSIONER_PREFIX = "7A"  # Welsh local health boards (7A1–7A7) commission Welsh practices

# --- Sub-ICB locations of the three ICBs that split on 2026-04-01 -------------------------------
# Whole mergers follow the succession table. For the three split ICBs each sub-ICB location goes
# to the 2026 ICB that took its area. Sources: NHS England East of England, "Changes to NHS
# organisations in the East of England" (england.nhs.uk/east-of-england/ccgs-and-acute-trusts):
# Hertfordshire joins Bedfordshire, Luton and Milton Keynes and Cambridgeshire and Peterborough
# (Central East); west Essex and north east Essex join Mid and South Essex (Essex); Suffolk joins
# Norfolk and Waveney (Norfolk and Suffolk). Sub-ICB names are from the ONS April 2023 lookup.
SPLIT_SUB_ICB_2026: dict[str, str | None] = {
    "06K": "D7T5G",  # NHS Hertfordshire and West Essex ICB - 06K (West Essex) → Essex
    "06N": "S1Y5D",  # - 06N (Herts Valleys) → Central East
    "07H": "S1Y5D",  # - 07H (East and North Hertfordshire) → Central East
    "06L": "T6Y0W",  # NHS Suffolk and North East Essex ICB - 06L (Ipswich and East Suffolk)
    "07K": "T6Y0W",  # - 07K (West Suffolk) → Norfolk and Suffolk
    "06T": "D7T5G",  # - 06T (North East Essex) → Essex
    # NHS Frimley ICB had a single sub-ICB location covering all of it, and its area was divided
    # three ways, so D4U1Y has no single successor: its practices are placed by postcode below.
    "D4U1Y": None,
}

# --- Frimley (QNQ) practices from 2026-04-01, by practice postcode -----------------------------
# Frimley's area was divided: East Berkshire (Bracknell Forest, Slough, Windsor and Maidenhead)
# → Thames Valley S0E4D (BBC News, "'Important step' towards new NHS care board", 2025); Surrey
# Heath and Farnham (Waverley) → Surrey and Sussex S9B9J (Farnham Herald, Greg Stafford MP, 2026:
# "Farnham and Haslemere moved into a new, much larger Surrey and Sussex ICB"); north east
# Hampshire (Rushmoor and part of Hart) → Hampshire and Isle of Wight QRL (Haslemere Herald,
# 2026-01-17: "around 176,000 people in Rushmoor and part of Hart ... 14 GP practices").
# Postcode districts are matched first by sector ("GU10 5"), then by district ("GU10").
QNQ_POSTCODE_2026: dict[str, str] = {
    # East Berkshire → Thames Valley
    **{d: "S0E4D" for d in ("SL1", "SL2", "SL3", "SL4", "SL5", "SL6", "RG12", "RG42", "RG45")},
    "GU47": "S0E4D",  # Sandhurst, Bracknell Forest
    # Surrey Heath, Farnham (Waverley) and Egham (Runnymede) → Surrey and Sussex
    **{d: "S9B9J" for d in ("GU9", "GU10", "GU15", "GU16", "GU18", "GU19", "GU20", "GU24")},
    **{d: "S9B9J" for d in ("GU25", "TW20")},
    # Rushmoor and Hart → Hampshire and Isle of Wight
    **{d: "QRL" for d in ("GU11", "GU12", "GU14", "GU17", "GU46", "GU51", "GU52")},
    "GU10 5": "QRL",  # Crondall and Ewshot, Hart district (the rest of GU10 is Farnham, Surrey)
}


def qnq_icb_2026(postcode: str) -> str | None:
    postcode = " ".join(postcode.upper().split())
    if " " not in postcode:
        return None
    district, inward = postcode.split(" ", 1)
    return QNQ_POSTCODE_2026.get(f"{district} {inward[:1]}") or QNQ_POSTCODE_2026.get(district)


# --- Local authorities partnered with more than one ICB (2022–2026) ------------------------------
# The ICB Partners sheet lists every ICB an LA works with. A provider placed through its LA needs
# one ICB, so these LAs get their principal ICB: the one covering most of the LA's residents
# (from the published ICB boundaries; the other partners are kept as the "icb_partners" fact).
PRINCIPAL_ICB_2022: dict[str, tuple[str, str]] = {
    "218": ("QOQ", "North Yorkshire: Humber and North Yorkshire; Craven is West Yorkshire's"),
    "406": ("QHL", "Birmingham: Birmingham and Solihull; Black Country is a partner for the west"),
    "606": ("QM7", "Hertfordshire: Hertfordshire and West Essex; Royston area is C&P's"),
    "609": ("QJG", "Suffolk: Suffolk and North East Essex; Waveney is Norfolk and Waveney's"),
    "620": ("QH8", "Essex: most residents are in Mid and South Essex (7 of 12 districts)"),
    "805": ("QXU", "Surrey: Surrey Heartlands; Surrey Heath and Farnham are Frimley's"),
    "807": ("QNX", "West Sussex: Sussex; Surrey Heartlands is a partner for the north"),
    "812": ("QRL", "Hampshire: Hampshire and Isle of Wight; Rushmoor and Hart are Frimley's"),
    "H6X4G": ("QHM", "Cumberland: North East and North Cumbria"),
    "W8X1Q": (
        "QE1",
        "Westmorland and Furness: Lancashire and South Cumbria (Furness, South Lakes)",
    ),
    # The sheet lists the unitary Buckinghamshire Council (916) only under BLMK and the former
    # county council (612) under BOB; Buckinghamshire is in the BOB ICB area.
    "916": ("QU9", "Buckinghamshire: Buckinghamshire, Oxfordshire and Berkshire West"),
}

# --- Local authorities whose principal ICB split on 2026-04-01 -----------------------------------
# "Each local authority only works with one ICB" was a design principle of the 2026 changes
# (East of England regional design principles, reported by Healthcare Leader, 2025). Sources as
# for the sub-ICB and Frimley tables above.
LA_ICB_2026: dict[str, str] = {
    "606": "S1Y5D",  # Hertfordshire → Central East
    "609": "T6Y0W",  # Suffolk → Norfolk and Suffolk
    "614": "S0E4D",  # Bracknell Forest → Thames Valley
    "617": "S0E4D",  # Slough → Thames Valley
    "618": "S0E4D",  # Windsor and Maidenhead → Thames Valley
    "225": "QRL",  # Hart (Frimley part) → Hampshire and Isle of Wight
    "287": "QRL",  # Rushmoor → Hampshire and Isle of Wight
    "340": "S9B9J",  # Surrey Heath → Surrey and Sussex
    "362": "S9B9J",  # Waverley (Farnham) → Surrey and Sussex
}

# --- Local-authority names as CQC writes them -----------------------------------------------------
# CQC files name the LA ("Bristol, City of", "County Durham"); the ICB Partners sheet names the
# council ("Bristol City Council"). Names are normalised (see normalise_la_name); these are the
# ones that still differ, or that match two council codes.
LA_NAME_ALIASES: dict[str, str] = {
    "county durham": "116",
    "durham": "116",
    "kingston upon hull": "215",
    "hull": "215",
    "middlesbrough": "112",  # the sheet spells it "Middlesborough"
    "bournemouth christchurch and poole": "738",
    "buckinghamshire": "916",  # the unitary council since 2020, not the former county council 612
    "north yorkshire": "218",
    "london": "714",  # City of London
}

_PREFIXES = (
    "corporation of the ",
    "council of the ",
    "london borough of ",
    "royal borough of ",
    "city of ",
    "the ",
)
_SUFFIXES = (
    " metropolitan borough council",
    " metropolitan district council",
    " borough council",
    " district council",
    " county council",
    " city council",
    " council",
    " borough",  # CQC writes "Bedford Borough"
)


def normalise_la_name(name: str) -> str:
    """ "Royal Borough of Kingston-Upon-Thames Council" and "Kingston upon Thames" → same key."""
    text = name.lower().replace("&", " and ").replace("-", " ")
    text = re.sub(r",\s*(city|county) of$", "", text.strip())
    text = re.sub(r"[^a-z0-9 ]", "", text)
    text = " ".join(text.split())
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return text.strip()
