"""HJ 212 code tables, loaded from the JSON files in ``data/`` (tables are data).

* ``FACTORS`` — factor code → :class:`Factor` (HJ 212-2017 Tables B.1 water,
  B.2 air, B.3 noise; ``data/factors.json``);
* ``LEGACY_TO_2017`` — HJ/T 212-2005 code → 2017 code (the "原编码" column of
  Tables B.1/B.2), ``CODE_2017_TO_LEGACY`` its inverse;
* ``COMMANDS`` — CN → English name (Table 9), ``COMMAND_INFO`` with Chinese
  names and types; ``DATA_KINDS`` — data CN → ``"rtd"|"min"|"hour"|"day"``;
* ``SYSTEMS`` — ST → name (Table 5);
* ``DATA_FLAGS`` — flag → meaning (Table 8), ``VALID_FLAGS`` — flags whose
  values count as valid data (a platform rule, UNVERIFIED; see ``flags.json``);
* ``QN_RTN`` / ``EXE_RTN`` — return codes (Tables 7 and 6);
* ``PROTOCOL`` — reply rules (``protocol.json``).

The files are read once at import, from the package itself (no other I/O).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

__all__ = [
    "Factor",
    "FACTORS",
    "LEGACY_TO_2017",
    "CODE_2017_TO_LEGACY",
    "COMMANDS",
    "COMMAND_INFO",
    "DATA_KINDS",
    "SYSTEMS",
    "DATA_FLAGS",
    "VALID_FLAGS",
    "QN_RTN",
    "EXE_RTN",
    "PROTOCOL",
    "factor_name",
]


@dataclass(frozen=True, slots=True)
class Factor:
    """One monitoring factor of HJ 212-2017 Appendix B."""

    code: str
    name_zh: str
    name_en: str
    unit: str  # default concentration unit ("mg/L", "mg/m3", "L/s", "dB" …)
    medium: str  # "water" | "air" | "noise"
    emission_unit: str = ""  # default emission-amount unit (Cou), "" if none
    legacy_2005: str | None = None  # HJ/T 212-2005 code (原编码)
    data_type: str | None = None  # e.g. "N5.1"


def _load(name: str) -> dict:
    with resources.files(__package__).joinpath("data", name).open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _factors() -> dict[str, Factor]:
    out = {}
    for row in _load("factors.json")["factors"]:
        out[row["code"]] = Factor(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit=row["unit"],
            medium=row["medium"],
            emission_unit=row.get("emission_unit", ""),
            legacy_2005=row.get("legacy_2005"),
            data_type=row.get("data_type"),
        )
    return out


FACTORS: dict[str, Factor] = _factors()
LEGACY_TO_2017: dict[str, str] = {f.legacy_2005: f.code for f in FACTORS.values() if f.legacy_2005}
CODE_2017_TO_LEGACY: dict[str, str] = {v: k for k, v in LEGACY_TO_2017.items()}

_commands = _load("commands.json")
COMMAND_INFO: dict[str, dict[str, str]] = {c["cn"]: c for c in _commands["commands"]}
COMMANDS: dict[str, str] = {cn: c["name_en"] for cn, c in COMMAND_INFO.items()}
DATA_KINDS: dict[str, str] = {k: v for k, v in _commands["data_kinds"].items() if not k.startswith("_")}
QN_RTN: dict[int, str] = {int(k): v for k, v in _commands["qn_rtn"].items() if not k.startswith("_")}
EXE_RTN: dict[int, str] = {int(k): v for k, v in _commands["exe_rtn"].items() if not k.startswith("_")}
SYSTEMS: dict[str, str] = dict(_load("systems.json")["systems"])
_flags = _load("flags.json")["flags"]
DATA_FLAGS: dict[str, str] = {f["flag"]: f["meaning_en"] for f in _flags}
VALID_FLAGS: frozenset[str] = frozenset(f["flag"] for f in _flags if f["valid"])
PROTOCOL: dict = {k: v for k, v in _load("protocol.json").items() if not k.startswith("_")}
del _commands, _flags


def factor_name(code: str, lang: str = "en") -> str:
    """Name of a factor code (2017 or 2005 legacy), or the code itself when unknown."""
    f = FACTORS.get(code) or FACTORS.get(LEGACY_TO_2017.get(code, ""))
    if f is None:
        return code
    return f.name_zh if lang.startswith("zh") else f.name_en
