"""Environmental protection tax (环境保护税): pollution equivalents and tax.

Legal basis (rule references are data in ``data/envtax_tables.json`` where they
may change):

* 《中华人民共和国环境保护税法》 (the *Law*): Art. 6 rates set by provinces
  within Annex 1; Art. 7-8 tax basis, ``污染当量数 = 排放量(kg) ÷ 污染当量值(kg)``;
  Art. 9 items taxed per outlet (air: top 3; water: top 5 class-1 and top 3
  other-class); Art. 11 tax = equivalents × rate, tonnes × rate (solid waste),
  band amount (noise); Art. 13 reductions (concentration below the standard by
  30 % → pay 75 %, by 50 % → pay 50 %).
* 《环境保护税法实施条例》 (the *Regulation*): Art. 5-6 solid waste discharged,
  Art. 8 outlets computed separately, Art. 10 which concentration counts and the
  loss of the reduction when any hourly (air) or daily (water) mean exceeds the
  standard, Art. 11 reductions per outlet and pollutant.
* 财税〔2018〕23号: colour (色度) by exceedance multiple, livestock by monthly
  average stock, noise rounding and halving; 财税〔2018〕117号: scope of the loss
  of reductions (configurable, see ``reductions.scope`` in the data).

Rounding (rules.md §1.5, reproduces every published example): per row,
equivalents are rounded half-up to 2 decimals, the row tax
``equivalents × rate × reduction`` is rounded half-up to the fen (0.01 yuan),
and the rows are summed. All arithmetic uses :class:`decimal.Decimal`.

This module is pure: no Django, no I/O except reading its own packaged table
(``qingshan/standards/data/envtax_tables.json``) once, on first use. A
deployment can pass its own :class:`Tables` or :class:`RateTable`.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from typing import Any

AIR = "air"
WATER = "water"
MEDIA = (AIR, WATER)

#: ranking classes of Law Art. 9
CLASS_AIR = "air"
CLASS_WATER_1 = "water_class1"
CLASS_WATER_OTHER = "water_other"

CENT = Decimal("0.01")
ONE = Decimal("1")
ZERO = Decimal("0")

DATA_FILE = "envtax_tables.json"


# --------------------------------------------------------------------------- errors


class EnvTaxError(ValueError):
    """Input the tax rules cannot compute (bad number, missing field, unknown name)."""


class UnknownPollutantError(EnvTaxError):
    """A pollutant name that is not in the Law's Annex 2 table for the medium."""

    def __init__(self, name: str, medium: str, suggestions: Sequence[str] = (), hint: str | None = None):
        self.name = name
        self.medium = medium
        self.suggestions = tuple(suggestions)
        self.hint = hint
        msg = f"unknown {medium} pollutant {name!r} (Law Annex 2)"
        if hint:
            msg += f": {hint}"
        if self.suggestions:
            msg += "; close matches: " + ", ".join(self.suggestions)
        elif not hint:
            msg += "; no close match, see docs/envtax.md for the table names"
        super().__init__(msg)


class RateError(EnvTaxError):
    """A rate outside the Annex 1 range, or a rate that is missing."""


class RateNotConfiguredError(RateError):
    """No rate is configured for this province / pollutant: we never guess one."""


# --------------------------------------------------------------------------- numbers


def to_decimal(value: Any, what: str, *, allow_none: bool = False, minimum: Decimal | None = ZERO) -> Decimal | None:
    """Convert ``value`` (int, str, Decimal or float) to Decimal, or raise EnvTaxError.

    Floats are converted through their shortest ``repr`` so that JSON ``1.2``
    becomes ``Decimal("1.2")``. Booleans, NaN and infinities are refused.
    """
    if value is None:
        if allow_none:
            return None
        raise EnvTaxError(f"{what} is required")
    if isinstance(value, bool):
        raise EnvTaxError(f"{what} must be a number, got {value!r}")
    try:
        if isinstance(value, Decimal):
            dec = value
        elif isinstance(value, int):
            dec = Decimal(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise EnvTaxError(f"{what} must be a finite number, got {value!r}")
            dec = Decimal(repr(value))
        elif isinstance(value, str):
            dec = Decimal(value.strip())
        else:
            raise EnvTaxError(f"{what} must be a number, got {type(value).__name__}")
    except InvalidOperation:
        raise EnvTaxError(f"{what} must be a number, got {value!r}") from None
    if not dec.is_finite():
        raise EnvTaxError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and dec < minimum:
        raise EnvTaxError(f"{what} must be >= {minimum}, got {value!r}")
    return dec


def round_fen(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals (the fen for money; also used for equivalents)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pollution_equivalents(quantity: Any, equivalent_value: Any) -> Decimal:
    """污染当量数 = 排放量 ÷ 污染当量值, rounded half-up to 2 decimals (Law Art. 8; rules.md §1.5)."""
    q = to_decimal(quantity, "emission quantity")
    v = to_decimal(equivalent_value, "equivalent value")
    if v <= 0:
        raise EnvTaxError("equivalent value must be positive")
    return round_fen(q / v)


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _plain(value: Decimal) -> str:
    """``Decimal("50.0")`` → ``"50"`` (no exponent)."""
    return format(value.normalize(), "f")


# --------------------------------------------------------------------------- names


def normalize_name(name: str) -> str:
    """Key used to match pollutant names: NFKC (full-width → ASCII), no spaces, lower case,
    ``[a]``/``（a）`` written as ``(a)``."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    text = re.sub(r"\s+", "", text)
    text = text.replace("[", "(").replace("]", ")").replace("α", "a")
    return text.lower()


def _name_keys(name: str) -> list[str]:
    """Automatic aliases of a table name: itself, and without a trailing ASCII code such as ``(SS)``."""
    keys = [normalize_name(name)]
    text = unicodedata.normalize("NFKC", name)
    m = re.fullmatch(r"(.+?)\(([A-Za-z0-9\-]+)\)", text)
    if m:
        keys.append(normalize_name(m.group(1)))
    return keys


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Pollutant:
    """One row of the Law's Annex 2 (应税污染物和当量值表)."""

    name: str
    medium: str
    category: str  # air | water_class1 | water_class2 | water_special | water_small
    kind: str  # mass | ph | colour | per_tonne | livestock | hospital
    value: Decimal | None  # units of quantity per equivalent (kg unless ``unit`` says otherwise)
    unit: str = "kg"
    no: int | None = None
    group: str | None = None  # exclusive group ("only one of ... is taxed")
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    order: int = 0

    @property
    def ranking_class(self) -> str:
        """Law Art. 9: air ranks all items together; water splits class 1 from the rest."""
        if self.medium == AIR:
            return CLASS_AIR
        return CLASS_WATER_1 if self.category == "water_class1" else CLASS_WATER_OTHER


class Tables:
    """The annex tables and rule parameters, read from a mapping shaped like
    ``data/envtax_tables.json``. Use :meth:`default` for the packaged copy."""

    def __init__(self, data: Mapping[str, Any]):
        try:
            self._load(data)
        except KeyError as exc:
            raise EnvTaxError(f"environmental tax tables lack the entry {exc.args[0]!r}") from None

    def _load(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self._by_medium: dict[str, dict[str, Pollutant]] = {AIR: {}, WATER: {}}
        self._keys: dict[str, dict[str, str]] = {AIR: {}, WATER: {}}
        order = 0
        for category, medium in (
            ("air", AIR),
            ("water_class1", WATER),
            ("water_class2", WATER),
            ("water_special", WATER),
            ("water_small_sources", WATER),
        ):
            for row in data.get(category, []):
                order += 1
                self._add(self._row_to_pollutant(row, category, medium, order))
        self.not_national = {normalize_name(k): v for k, v in data.get("not_national_items", {}).items()}
        self.item_counts = {k: int(v) for k, v in data["item_counts"].items() if k in ("air", "water_class1", "water_other")}
        red = data["reductions"]
        self.reduction_tiers = sorted(
            ((Decimal(t["below_fraction_of_standard"]), Decimal(t["pay"]), t.get("label", "")) for t in red["tiers"]),
            key=lambda t: t[0],
        )
        self.reduction_strict = bool(red.get("strict", True))
        self.reduction_loss_on_max = bool(red.get("lost_if_max_mean_exceeds_standard", True))
        self.reduction_scope = red.get("scope", "outlet_pollutant")
        if self.reduction_scope not in ("outlet_pollutant", "taxpayer"):
            raise EnvTaxError(f"reductions.scope must be outlet_pollutant or taxpayer, not {self.reduction_scope!r}")
        self.special_reducible = bool(red.get("special_items_reducible", False))
        self.reduction_clause = red.get("clause", "Law Art. 13")
        self.groups = dict(data.get("exclusive_groups", {}))
        self.special_rank_with_class2 = bool(
            data.get("water_other_ranking", {}).get("special_items_rank_with_class2", True)
        )
        rates = data["tax_rates"]
        self.rate_ranges = {
            AIR: tuple(Decimal(x) for x in rates["air_per_eq"]),
            WATER: tuple(Decimal(x) for x in rates["water_per_eq"]),
        }
        self.noise_bands = [
            (int(lo), None if hi is None else int(hi), Decimal(amount)) for lo, hi, amount in rates["noise_per_month"]
        ]
        self.noise_rules = dict(data.get("noise_rules", {}))
        self.solid_items: dict[str, tuple[str, Decimal]] = {}
        for row in rates["solid_per_t"]:
            for key in [row["name"], *row.get("aliases", [])]:
                self.solid_items[normalize_name(key)] = (row["name"], Decimal(row["rate"]))

    # -- construction

    @staticmethod
    def _row_to_pollutant(row: Mapping[str, Any], category: str, medium: str, order: int) -> Pollutant:
        if category == "water_small_sources":
            category = "water_small"
        kind = row.get("kind", "mass")
        value = row.get("value")
        params = {k: v for k, v in row.items() if k not in ("no", "name", "value", "aliases", "one_of_group", "kind", "unit")}
        return Pollutant(
            name=row["name"],
            medium=medium,
            category=category,
            kind=kind,
            value=None if value is None else Decimal(value),
            unit=row.get("unit", "kg"),
            no=row.get("no"),
            group=row.get("one_of_group"),
            aliases=tuple(row.get("aliases", [])),
            params=params,
            order=order,
        )

    def _add(self, p: Pollutant) -> None:
        self._by_medium[p.medium][p.name] = p
        keys = self._keys[p.medium]
        for key in [*_name_keys(p.name), *(normalize_name(a) for a in p.aliases)]:
            if keys.get(key, p.name) != p.name:
                raise EnvTaxError(f"table error: {key!r} names both {keys[key]!r} and {p.name!r} ({p.medium})")
            keys[key] = p.name

    @classmethod
    @functools.cache
    def default(cls) -> Tables:
        """The packaged national tables (read once)."""
        return cls(load_data())

    # -- lookup

    def names(self, medium: str) -> list[str]:
        return list(self._by_medium[_check_medium(medium)])

    def pollutants(self, medium: str) -> list[Pollutant]:
        return list(self._by_medium[_check_medium(medium)].values())

    def pollutant(self, name: str, medium: str) -> Pollutant:
        """Resolve a name, abbreviation or HJ 212 code to its Annex 2 row, or raise
        :class:`UnknownPollutantError` listing close matches."""
        medium = _check_medium(medium)
        if not isinstance(name, str) or not name.strip():
            raise EnvTaxError(f"pollutant name must be a non-empty string, got {name!r}")
        key = normalize_name(name)
        found = self._keys[medium].get(key)
        if found:
            return self._by_medium[medium][found]
        hint = self.not_national.get(key)
        if hint is not None:
            raise UnknownPollutantError(name, medium, (), hint)
        other = AIR if medium == WATER else WATER
        if key in self._keys[other]:
            hint = f"{self._keys[other][key]} is a {other} pollutant, not {medium}"
        raise UnknownPollutantError(name, medium, self.suggest(name, medium), hint)

    def suggest(self, name: str, medium: str, n: int = 5) -> list[str]:
        key = normalize_name(name)
        keys = self._keys[medium]
        out: list[str] = []
        for match in difflib.get_close_matches(key, list(keys), n=n * 2, cutoff=0.5):
            if keys[match] not in out:
                out.append(keys[match])
        if len(key) >= 1:
            for k, canonical in keys.items():
                if (key in k or (len(k) >= 2 and k in key)) and canonical not in out:
                    out.append(canonical)
        return out[:n]

    def solid_item(self, name: str) -> tuple[str, Decimal]:
        """(table name, yuan per tonne) of a solid-waste item (Annex 1)."""
        found = self.solid_items.get(normalize_name(name or ""))
        if not found:
            names = sorted({v[0] for v in self.solid_items.values()})
            raise EnvTaxError(f"unknown solid waste item {name!r}; Annex 1 items: {', '.join(names)}")
        return found

    def check_rate(self, medium: str, rate: Decimal, what: str = "rate") -> Decimal:
        lo, hi = self.rate_ranges[_check_medium(medium)]
        if not lo <= rate <= hi:
            raise RateError(f"{what} {rate} yuan per equivalent is outside the {medium} range {lo}-{hi} (Law Annex 1)")
        return rate


def load_data() -> dict[str, Any]:
    """Parsed ``data/envtax_tables.json`` shipped with the package."""
    path = resources.files("qingshan.standards").joinpath("data", DATA_FILE)
    return json.loads(path.read_text(encoding="utf-8"))


def _check_medium(medium: str) -> str:
    if medium not in MEDIA:
        raise EnvTaxError(f"medium must be 'air' or 'water', got {medium!r}")
    return medium


def _tables(tables: Tables | None) -> Tables:
    return tables if tables is not None else Tables.default()


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class Rates:
    """Yuan per pollution equivalent for one medium: a default and per-pollutant rates
    (some provinces set e.g. SO2/NOx higher than other air pollutants)."""

    medium: str
    default: Decimal | None
    by_pollutant: Mapping[str, Decimal] = field(default_factory=dict)
    source: str = ""

    def for_pollutant(self, name: str) -> Decimal:
        rate = self.by_pollutant.get(name, self.default)
        if rate is None:
            raise RateNotConfiguredError(f"no {self.medium} rate configured for {name} ({self.source or 'rates'})")
        return rate


def make_rates(
    medium: str,
    rate: Any = None,
    by_pollutant: Mapping[str, Any] | None = None,
    *,
    source: str = "",
    tables: Tables | None = None,
) -> Rates:
    """Validated :class:`Rates` (Law Art. 6, Annex 1 ranges: air 1.2-12, water 1.4-14 yuan).

    ``rate`` may already be a :class:`Rates` (returned as is after a medium check).
    """
    t = _tables(tables)
    medium = _check_medium(medium)
    if isinstance(rate, Rates):
        if rate.medium != medium:
            raise RateError(f"{rate.medium} rates given for {medium}")
        return rate
    default = None
    if rate is not None:
        default = t.check_rate(medium, to_decimal(rate, f"{medium} rate"))
    per: dict[str, Decimal] = {}
    for name, value in (by_pollutant or {}).items():
        canonical = t.pollutant(name, medium).name
        per[canonical] = t.check_rate(medium, to_decimal(value, f"rate of {name}"), f"rate of {name}")
    if default is None and not per:
        raise RateNotConfiguredError(f"no {medium} rate given (Law Art. 6: set by the province)")
    return Rates(medium, default, per, source)


@dataclass(frozen=True)
class ProvincialRate:
    """One row of the provincial rate table (Law Art. 6), valid from ``effective_from``."""

    province: str
    division: str | None
    region: str | None
    facility_type: str | None
    effective_from: datetime.date
    effective_to: datetime.date | None
    air: Decimal | None
    water: Decimal | None
    air_by_pollutant: Mapping[str, Decimal]
    water_by_pollutant: Mapping[str, Decimal]
    status: str
    source: str

    def rates(self, medium: str, tables: Tables | None = None) -> Rates:
        medium = _check_medium(medium)
        label = f"{self.province}{'/' + self.region if self.region else ''} from {self.effective_from} [{self.status}]"
        per = self.air_by_pollutant if medium == AIR else self.water_by_pollutant
        return make_rates(medium, self.air if medium == AIR else self.water, per, source=label, tables=tables)


def _province_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name or "")).strip()
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def _date(value: Any, what: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise EnvTaxError(f"{what} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


class RateTable:
    """Provincial rates as versioned data (province, region, facility type, effective dates).

    The packaged table (:meth:`default`) holds only what the research notes give;
    a deployment extends or corrects it with :meth:`with_entries` (later entries
    win over earlier ones with the same key and start date).
    """

    def __init__(self, entries: Iterable[Mapping[str, Any] | ProvincialRate], tables: Tables | None = None):
        self.tables = _tables(tables)
        self.entries: list[ProvincialRate] = []
        for e in entries:
            self.entries.append(e if isinstance(e, ProvincialRate) else self._parse(e))

    def _parse(self, e: Mapping[str, Any]) -> ProvincialRate:
        t = self.tables
        try:
            province = e["province"]
        except (KeyError, TypeError):
            raise EnvTaxError(f"rate entry needs a province: {e!r}") from None

        def rate(medium: str, key: str) -> Decimal | None:
            v = to_decimal(e.get(key), f"{province} {key}", allow_none=True)
            return None if v is None else t.check_rate(medium, v, f"{province} {key} rate")

        def per(medium: str, key: str) -> dict[str, Decimal]:
            out = {}
            for name, v in (e.get(key) or {}).items():
                out[t.pollutant(name, medium).name] = t.check_rate(medium, to_decimal(v, f"{province} {name}"))
            return out

        return ProvincialRate(
            province=str(province),
            division=e.get("division"),
            region=e.get("region"),
            facility_type=e.get("facility_type"),
            effective_from=_date(e.get("effective_from", "2018-01-01"), "effective_from"),
            effective_to=None if e.get("effective_to") is None else _date(e["effective_to"], "effective_to"),
            air=rate(AIR, "air"),
            water=rate(WATER, "water"),
            air_by_pollutant=per(AIR, "air_by_pollutant"),
            water_by_pollutant=per(WATER, "water_by_pollutant"),
            status=str(e.get("status", "configured")),
            source=str(e.get("source", "")),
        )

    @classmethod
    @functools.cache
    def default(cls) -> RateTable:
        return cls(Tables.default().data["provincial_rates"]["entries"])

    def with_entries(self, entries: Iterable[Mapping[str, Any] | ProvincialRate]) -> RateTable:
        return RateTable([*self.entries, *RateTable(entries, self.tables).entries], self.tables)

    def provinces(self) -> list[str]:
        return sorted({e.province for e in self.entries})

    def lookup(
        self,
        province: str,
        on: Any = None,
        *,
        region: str | None = None,
        facility_type: str | None = None,
    ) -> ProvincialRate:
        """The entry in force on ``on`` (default: today) for the province (name or
        6-digit division code), preferring an exact region / facility-type match."""
        day = datetime.date.today() if on is None else _date(on, "date")
        key = _province_key(province)
        candidates = [
            e
            for e in self.entries
            if (_province_key(e.province) == key or (e.division and e.division == key))
            and e.effective_from <= day
            and (e.effective_to is None or day <= e.effective_to)
            and e.region in (None, region)
            and e.facility_type in (None, facility_type)
        ]
        if not candidates:
            raise RateNotConfiguredError(
                f"no environmental tax rate configured for {province!r} on {day} "
                f"(configured: {', '.join(self.provinces()) or 'none'}); set it per deployment (Law Art. 6)"
            )
        # most specific first, then the latest start, then the last configured
        best = max(
            enumerate(candidates),
            key=lambda ie: (ie[1].region is not None, ie[1].facility_type is not None, ie[1].effective_from, ie[0]),
        )
        return best[1]


# --------------------------------------------------------------------------- reductions


@dataclass(frozen=True)
class Reduction:
    """The fraction of the tax payable after Law Art. 13 (1, 0.75 or 0.5) and why."""

    pay: Decimal
    reason: str


def reduction_factor(
    concentration: Any,
    standard: Any,
    max_concentration: Any = None,
    *,
    tables: Tables | None = None,
) -> Reduction:
    """Law Art. 13 reduction for one outlet and pollutant (Reg. Art. 11).

    ``concentration`` is the month's mean of the hourly means (air) or daily
    means (water), or of the monitoring-institution results (Reg. Art. 10);
    ``max_concentration`` the highest of those hourly/daily means or results.
    Below 50 % of the standard pays 50 %, below 70 % pays 75 % (strictly below
    by default, see ``reductions.strict``). The reduction is lost when the
    maximum exceeds the standard (Reg. Art. 10). Without a maximum the loss
    cannot be judged and only the monthly mean is used (the reason says so).
    """
    t = _tables(tables)
    conc = to_decimal(concentration, "concentration", allow_none=True)
    std = to_decimal(standard, "standard", allow_none=True)
    peak = to_decimal(max_concentration, "max_concentration", allow_none=True)
    if conc is None or std is None:
        return Reduction(ONE, "no concentration and standard given: no reduction")
    if std <= 0:
        raise EnvTaxError("standard must be positive")
    if peak is not None and peak < conc:
        raise EnvTaxError(
            f"max_concentration {peak} is below the monthly mean {conc}: the maximum of the hourly/daily means "
            "cannot be below their mean"
        )
    if conc > std:
        return Reduction(ONE, f"monthly mean {conc} exceeds the standard {std}: no reduction")
    if peak is not None and peak > std and t.reduction_loss_on_max:
        return Reduction(ONE, f"reduction lost: a mean of {peak} exceeds the standard {std} this month (Reg. Art. 10)")
    for fraction, pay, label in t.reduction_tiers:
        limit = std * fraction
        if conc < limit or (not t.reduction_strict and conc == limit):
            pct = _plain(fraction * 100)
            note = "" if peak is not None else "; max mean not given, loss not checked"
            return Reduction(pay, f"{label}: {conc} < {pct}% of {std} → pay {pay} ({t.reduction_clause}){note}")
    return Reduction(ONE, f"monthly mean {conc} is not below {_plain(t.reduction_tiers[-1][0] * 100)}% of {std}: no reduction")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PollutantInput:
    """One pollutant's monthly data at one outlet.

    * ``emission_kg``: mass discharged (kg), for the items counted by mass;
    * ``concentration``: monthly mean concentration (colour: measured colour;
      coliforms: measured count), ``standard`` the applicable limit,
      ``max_concentration`` the highest hourly (air) / daily (water) mean or
      manual result of the month;
    * ``wastewater_t``: tonnes of wastewater (pH, colour, coliforms, residual
      chlorine, small enterprises, services, hospitals);
    * ``ph``: the pH value that decides the Table 3 band;
    * ``stock_start`` / ``stock_end``: livestock at the start / end of the month,
      ``scale_stock`` the farm scale for the Table 4 threshold (default: the
      larger of the two);
    * ``beds``: hospital beds.
    """

    emission_kg: Decimal | None = None
    concentration: Decimal | None = None
    standard: Decimal | None = None
    max_concentration: Decimal | None = None
    wastewater_t: Decimal | None = None
    ph: Decimal | None = None
    stock_start: Decimal | None = None
    stock_end: Decimal | None = None
    scale_stock: Decimal | None = None
    beds: Decimal | None = None

    FIELDS = (
        "emission_kg",
        "concentration",
        "standard",
        "max_concentration",
        "wastewater_t",
        "ph",
        "stock_start",
        "stock_end",
        "scale_stock",
        "beds",
    )

    @classmethod
    def from_value(cls, name: str, value: Any) -> PollutantInput:
        """Build from a mapping (unknown keys are an error) or pass an instance through.
        A bare number is read as ``emission_kg``."""
        if isinstance(value, PollutantInput):
            return value
        if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
            return cls(emission_kg=to_decimal(value, f"{name}: emission_kg"))
        if not isinstance(value, Mapping):
            raise EnvTaxError(f"{name}: expected an object with emission_kg etc., got {type(value).__name__}")
        unknown = sorted(set(value) - set(cls.FIELDS))
        if unknown:
            raise EnvTaxError(f"{name}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(cls.FIELDS)}")
        return cls(**{k: to_decimal(value.get(k), f"{name}: {k}", allow_none=True) for k in cls.FIELDS})


def _require(value: Decimal | None, name: str, what: str, why: str) -> Decimal:
    if value is None:
        raise EnvTaxError(f"{name}: {what} is required ({why})")
    return value


def _ph_band_value(p: Pollutant, ph: Decimal) -> Decimal | None:
    """Table 3: equivalent value (t of wastewater) of the pH band, None for 6 ≤ pH ≤ 9.
    Low bands are [lo, hi), high bands (lo, hi] (Table 3 note 2)."""
    if not ZERO <= ph <= Decimal(14):
        raise EnvTaxError(f"pH must be between 0 and 14, got {ph}")
    for band in p.params["bands"]:
        lo, hi = (Decimal(str(x)) for x in band["low"])
        if lo <= ph < hi:
            return Decimal(band["value"])
        if band.get("high"):
            lo, hi = (Decimal(str(x)) for x in band["high"])
            if lo < ph <= hi:
                return Decimal(band["value"])
    return None


@dataclass(frozen=True)
class _Measured:
    quantity: Decimal | None
    unit: str
    value: Decimal | None
    exact: Decimal  # unrounded equivalents (ranking tie-break)
    note: str = ""


def _measure(p: Pollutant, given: str, x: PollutantInput) -> _Measured:
    """Equivalents of one item according to its kind (Law Art. 8; Annex 2 Tables 3-4; 财税〔2018〕23号)."""
    if p.kind == "mass":
        kg = _require(x.emission_kg, given, "emission_kg", "Law Art. 8")
        return _Measured(kg, "kg", p.value, kg / p.value)
    if p.kind == "ph":
        t = _require(x.wastewater_t, given, "wastewater_t", "pH is counted in tonnes of wastewater, Annex 2 Table 3")
        ph = _require(x.ph, given, "ph", "the pH value decides the band, Annex 2 Table 3")
        value = _ph_band_value(p, ph)
        if value is None:
            return _Measured(t, "t", None, ZERO, f"pH {ph} is within 6-9: not taxable (Annex 2 Table 3)")
        return _Measured(t, "t", value, t / value, f"pH {ph} band value {value} t")
    if p.kind == "colour":
        t = _require(x.wastewater_t, given, "wastewater_t", "colour is counted in t·multiple, 财税〔2018〕23号")
        measured = _require(x.concentration, given, "concentration (measured colour)", "财税〔2018〕23号")
        std = _require(x.standard, given, "standard (colour limit)", "财税〔2018〕23号")
        if std <= 0:
            raise EnvTaxError(f"{given}: standard must be positive")
        multiple = (measured - std) / std
        if multiple <= 0:
            return _Measured(t, "t", p.value, ZERO, f"colour {measured} within the standard {std}: not taxable")
        return _Measured(t * multiple, "t·multiple", p.value, t * multiple / p.value, f"exceedance multiple {_plain(multiple)}")
    if p.kind == "per_tonne":
        t = _require(x.wastewater_t, given, "wastewater_t", f"{p.name} is counted in tonnes of wastewater")
        if p.params.get("taxable_only_if_exceeding") and x.concentration is not None and x.standard is not None:
            if x.concentration <= x.standard:
                return _Measured(t, "t", p.value, ZERO, f"{x.concentration} within the standard {x.standard}: not taxable")
        return _Measured(t, "t", p.value, t / p.value)
    if p.kind == "livestock":
        start = _require(x.stock_start, given, "stock_start", "monthly average stock, 财税〔2018〕23号")
        end = _require(x.stock_end, given, "stock_end", "monthly average stock, 财税〔2018〕23号")
        average = (start + end) / 2
        scale = x.scale_stock if x.scale_stock is not None else max(start, end)
        threshold = Decimal(p.params["min_scale_exclusive"])
        if scale <= threshold:
            return _Measured(
                average, p.unit, p.value, ZERO, f"farm scale {scale} is not above {threshold}: not taxable (Annex 2 Table 4 note 2)"
            )
        return _Measured(average, p.unit, p.value, average / p.value, f"monthly average stock ({start}+{end})/2")
    if p.kind == "hospital":
        beds = _require(x.beds, given, "beds", "hospitals with more than 20 beds only, Annex 2 Table 4 note 3")
        threshold = Decimal(p.params["min_beds_exclusive"])
        if beds <= threshold:
            return _Measured(beds, "bed", None, ZERO, f"{beds} beds is not above {threshold}: not under Table 4")
        if x.wastewater_t is not None:
            value = Decimal(p.params["per_tonne"])
            return _Measured(x.wastewater_t, "t", value, x.wastewater_t / value, "by wastewater tonnes [U: Table 4 values]")
        value = Decimal(p.params["per_bed"])
        return _Measured(beds, "bed", value, beds / value, "by beds [U: Table 4 values]")
    raise EnvTaxError(f"table error: unknown kind {p.kind!r} for {p.name}")


# --------------------------------------------------------------------------- outlet


@dataclass(frozen=True)
class TaxItem:
    """One row of an outlet's monthly computation."""

    pollutant: str
    input_name: str
    ranking_class: str
    quantity: Decimal | None
    unit: str
    equivalent_value: Decimal | None
    equivalents: Decimal
    taxed: bool
    rank: int | None
    rate: Decimal | None
    reduction: Decimal
    reduction_reason: str
    tax: Decimal
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "pollutant": self.pollutant,
            "input_name": self.input_name,
            "class": self.ranking_class,
            "quantity": _fmt(self.quantity),
            "unit": self.unit,
            "equivalent_value": _fmt(self.equivalent_value),
            "equivalents": _fmt(self.equivalents),
            "taxed": self.taxed,
            "rank": self.rank,
            "rate": _fmt(self.rate),
            "reduction": _fmt(self.reduction.quantize(CENT)),
            "reduction_reason": self.reduction_reason,
            "tax": _fmt(self.tax),
            "note": self.note,
        }


@dataclass(frozen=True)
class OutletTax:
    """The monthly tax of one outlet (or of the no-outlet fugitive group)."""

    outlet: str | None
    medium: str
    items: tuple[TaxItem, ...]
    tax: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "medium": self.medium,
            "tax": _fmt(self.tax),
            "items": [i.as_dict() for i in self.items],
        }


def compute_outlet(
    medium: str,
    pollutants: Mapping[str, PollutantInput | Mapping[str, Any] | Any],
    rate: Rates | Any,
    *,
    outlet: str | None = None,
    tables: Tables | None = None,
    item_counts: Mapping[str, int] | None = None,
    reduction_allowed: bool = True,
    reduction_note: str = "",
) -> OutletTax:
    """Monthly tax of one outlet (Law Art. 8, 9, 11, 13; Reg. Art. 8, 10, 11).

    ``pollutants`` maps a name (table name, abbreviation or HJ 212 code) to a
    :class:`PollutantInput` or a mapping of its fields. ``rate`` is a
    :class:`Rates` or a number (yuan per equivalent). Items are ranked by
    equivalents within their class; only one of each exclusive group
    (COD/BOD5/TOC; coliforms/residual chlorine) is kept, the largest. The top
    3 (air), top 5 class-1 and top 3 other-class (water) are taxed;
    ``item_counts`` overrides those numbers (provincial additions, Law Art. 9 ¶3).
    ``reduction_allowed=False`` withholds every Art. 13 reduction (e.g. the
    taxpayer-wide reading of 财税〔2018〕117号, or Reg. Art. 7 cases).
    """
    t = _tables(tables)
    medium = _check_medium(medium)
    rates = make_rates(medium, rate, tables=t)
    if not isinstance(pollutants, Mapping) or not pollutants:
        raise EnvTaxError("pollutants must be a non-empty object mapping names to their data")
    counts = dict(t.item_counts)
    for key, value in (item_counts or {}).items():
        if key not in counts:
            raise EnvTaxError(f"item_counts: unknown class {key!r}; use {', '.join(counts)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EnvTaxError(f"item_counts: {key} must be a non-negative integer, got {value!r}")
        counts[key] = value

    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for given, raw in pollutants.items():
        p = t.pollutant(given, medium)
        if p.name in seen:
            raise EnvTaxError(f"{given!r} and {seen[p.name]!r} are the same pollutant ({p.name})")
        seen[p.name] = given
        x = PollutantInput.from_value(given, raw)
        m = _measure(p, given, x)
        rows.append({"p": p, "given": given, "x": x, "m": m, "eq": round_fen(m.exact), "note": m.note, "eligible": m.exact > 0})

    # exclusive groups: keep the largest (Annex 2 Table 2 note 2, Table 3 note 1)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["p"].group and r["eligible"]:
            by_group.setdefault(r["p"].group, []).append(r)
    for group, members in by_group.items():
        spec = t.groups.get(group, {})
        keep = spec.get("keep", "largest")
        if keep == "largest":
            members.sort(key=lambda r: (-r["eq"], -r["m"].exact, r["p"].order))
        elif keep == "table_order":
            members.sort(key=lambda r: r["p"].order)
        else:
            raise EnvTaxError(f"exclusive group {group}: keep must be 'largest' or 'table_order', not {keep!r}")
        clause = spec.get("clause", "only one item of the group is taxed")
        for r in members[1:]:
            r["eligible"] = False
            r["note"] = _join(r["note"], f"not taxed: {clause}; {members[0]['p'].name} kept ({keep.replace('_', ' ')})")

    # ranking per class (Law Art. 9)
    classes: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        cls = r["p"].ranking_class
        if cls == CLASS_WATER_OTHER and not t.special_rank_with_class2 and r["p"].category != "water_class2":
            cls = "water_special"  # taxed outside the top-3 ranking
        r["class"] = cls
        classes.setdefault(cls, []).append(r)
    limits = {CLASS_AIR: counts["air"], CLASS_WATER_1: counts["water_class1"], CLASS_WATER_OTHER: counts["water_other"]}
    for cls, members in classes.items():
        ranked = sorted((r for r in members if r["eligible"]), key=lambda r: (-r["eq"], -r["m"].exact, r["p"].order))
        limit = limits.get(cls, len(ranked))
        for i, r in enumerate(ranked, 1):
            r["rank"] = i
            r["taxed"] = i <= limit
            if not r["taxed"]:
                r["note"] = _join(r["note"], f"not taxed: rank {i} > top {limit} (Law Art. 9)")

    items = []
    total = ZERO
    for r in rows:
        p, x = r["p"], r["x"]
        taxed = r.get("taxed", False)
        rate_value = rates.for_pollutant(p.name) if taxed else None
        if not taxed:
            red = Reduction(ONE, "")
            tax = ZERO.quantize(CENT)
        else:
            if p.kind != "mass" and not t.special_reducible:
                red = Reduction(ONE, "no reduction for items counted by wastewater volume or stock")
            elif not reduction_allowed:
                red = Reduction(ONE, reduction_note or "reductions withheld for this outlet")
            else:
                red = reduction_factor(x.concentration, x.standard, x.max_concentration, tables=t)
            tax = round_fen(r["eq"] * rate_value * red.pay)
        total += tax
        items.append(
            TaxItem(
                pollutant=p.name,
                input_name=r["given"],
                ranking_class=r["class"],
                quantity=r["m"].quantity,
                unit=r["m"].unit,
                equivalent_value=r["m"].value,
                equivalents=r["eq"],
                taxed=taxed,
                rank=r.get("rank"),
                rate=rate_value,
                reduction=red.pay,
                reduction_reason=red.reason,
                tax=tax,
                note=r["note"],
            )
        )
    items.sort(key=lambda i: ({CLASS_AIR: 0, CLASS_WATER_1: 0}.get(i.ranking_class, 1), i.rank is None, i.rank or 0))
    return OutletTax(outlet, medium, tuple(items), total)


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def exceeds_standard(x: PollutantInput) -> bool:
    """True when the month's mean or the max hourly/daily mean is above the standard."""
    if x.standard is None:
        return False
    return any(v is not None and v > x.standard for v in (x.concentration, x.max_concentration))


# --------------------------------------------------------------------------- solid waste


@dataclass(frozen=True)
class SolidWasteTax:
    item: str
    generated_t: Decimal
    taxable_t: Decimal
    rate: Decimal
    tax: Decimal
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "generated_t": _fmt(self.generated_t),
            "taxable_t": _fmt(self.taxable_t),
            "rate": _fmt(self.rate),
            "tax": _fmt(self.tax),
            "note": self.note,
        }


def solid_waste_tax(
    item: str,
    generated_t: Any,
    *,
    stored_t: Any = 0,
    disposed_t: Any = 0,
    reused_t: Any = 0,
    illegal_dumping: bool = False,
    tables: Tables | None = None,
) -> SolidWasteTax:
    """Solid waste tax = tonnes discharged × Annex 1 rate (Law Art. 11).

    Discharged = generated − compliant storage − compliant disposal − compliant
    comprehensive use (Reg. Art. 5); illegal dumping or a false return → the
    generated amount (Reg. Art. 6).
    """
    t = _tables(tables)
    name, rate = t.solid_item(item)
    gen = to_decimal(generated_t, "generated_t")
    stored = to_decimal(stored_t, "stored_t")
    disposed = to_decimal(disposed_t, "disposed_t")
    reused = to_decimal(reused_t, "reused_t")
    if illegal_dumping:
        taxable, note = gen, "illegal dumping or false return: generated amount taxed (Reg. Art. 6)"
    else:
        taxable = gen - stored - disposed - reused
        if taxable < 0:
            raise EnvTaxError(
                f"stored + disposed + reused ({stored + disposed + reused} t) exceeds generated ({gen} t) (Reg. Art. 5)"
            )
        note = "generated − stored − disposed − reused (Reg. Art. 5)"
    return SolidWasteTax(name, gen, taxable, rate, round_fen(taxable * rate), note)


# --------------------------------------------------------------------------- noise


@dataclass(frozen=True)
class NoiseReading:
    """Highest reading of a period (day or night) at a site in the month.

    Give ``limit_db`` and ``measured_db``, or ``db_over`` directly;
    ``peak_db_over`` is the excess of the peak level for frequent/occasional
    night-time sudden noise (Annex 1 noise note 5: the larger excess counts);
    ``days_over`` the number of days (nights) in the month with an exceedance.
    """

    limit_db: Decimal | None = None
    measured_db: Decimal | None = None
    db_over: Decimal | None = None
    peak_db_over: Decimal | None = None
    days_over: int | None = None

    FIELDS = ("limit_db", "measured_db", "db_over", "peak_db_over", "days_over")

    @classmethod
    def from_value(cls, what: str, value: Any) -> NoiseReading | None:
        if value is None or isinstance(value, NoiseReading):
            return value
        if not isinstance(value, Mapping):
            raise EnvTaxError(f"{what}: expected an object with limit_db/measured_db or db_over")
        unknown = sorted(set(value) - set(cls.FIELDS))
        if unknown:
            raise EnvTaxError(f"{what}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(cls.FIELDS)}")
        days = value.get("days_over")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 31):
            raise EnvTaxError(f"{what}: days_over must be an integer 0-31, got {days!r}")
        return cls(
            limit_db=to_decimal(value.get("limit_db"), f"{what}: limit_db", allow_none=True),
            measured_db=to_decimal(value.get("measured_db"), f"{what}: measured_db", allow_none=True),
            db_over=to_decimal(value.get("db_over"), f"{what}: db_over", allow_none=True, minimum=None),
            peak_db_over=to_decimal(value.get("peak_db_over"), f"{what}: peak_db_over", allow_none=True, minimum=None),
            days_over=days,
        )

    def excess(self, what: str) -> Decimal:
        if self.db_over is not None:
            over = self.db_over
        elif self.limit_db is not None and self.measured_db is not None:
            over = self.measured_db - self.limit_db
        else:
            raise EnvTaxError(f"{what}: give limit_db and measured_db, or db_over")
        if self.peak_db_over is not None:
            over = max(over, self.peak_db_over)
        return over


@dataclass(frozen=True)
class NoiseTax:
    site: str | None
    day_db_over: int
    night_db_over: int
    day_amount: Decimal
    night_amount: Decimal
    multiplier: int
    tax: Decimal
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "day_db_over": self.day_db_over,
            "night_db_over": self.night_db_over,
            "day_amount": _fmt(self.day_amount),
            "night_amount": _fmt(self.night_amount),
            "multiplier": self.multiplier,
            "tax": _fmt(self.tax),
            "notes": list(self.notes),
        }


def noise_band_amount(db_over: int, tables: Tables | None = None) -> Decimal:
    """Monthly amount for an integer excess in dB (Annex 1: 1-3 → 350 … ≥16 → 11200)."""
    if db_over <= 0:
        return ZERO
    for lo, hi, amount in _tables(tables).noise_bands:
        if lo <= db_over and (hi is None or db_over <= hi):
            return amount
    raise EnvTaxError(f"table error: no noise band for {db_over} dB")


def noise_tax(
    day: NoiseReading | Mapping[str, Any] | None = None,
    night: NoiseReading | Mapping[str, Any] | None = None,
    *,
    site: str | None = None,
    boundary_over_100m: bool = False,
    exceeding_points: int = 1,
    two_units: bool | None = None,
    tables: Tables | None = None,
) -> NoiseTax:
    """Industrial noise tax of one site for one month (Law Art. 11, Annex 1 notes; 财税〔2018〕23号).

    The excess in dB is rounded half-up to an integer; day and night are
    computed separately and added (note 3); each is halved when it exceeded on
    fewer than 15 days (nights) that month (note 4 as refined by 23号); the sum
    is doubled when the boundary is longer than 100 m with two or more
    exceeding points (note 1; never more than two units). ``two_units``
    overrides the boundary test. Separate sites are computed separately and
    summed by the caller (note 2).
    """
    t = _tables(tables)
    rules = t.noise_rules
    day_r = NoiseReading.from_value("day", day)
    night_r = NoiseReading.from_value("night", night)
    if day_r is None and night_r is None:
        raise EnvTaxError("noise: give a day and/or a night reading")
    if isinstance(exceeding_points, bool) or not isinstance(exceeding_points, int) or exceeding_points < 0:
        raise EnvTaxError(f"exceeding_points must be a non-negative integer, got {exceeding_points!r}")
    notes: list[str] = []
    halve_below = int(rules.get("halve_if_days_over_below", 15))

    def period(reading: NoiseReading | None, label: str) -> tuple[int, Decimal]:
        if reading is None:
            return 0, ZERO
        raw = reading.excess(label)
        db = int(raw.quantize(ONE, rounding=ROUND_HALF_UP))
        if raw != db:
            notes.append(f"{label}: {raw} dB over rounded to {db} dB (财税〔2018〕23号)")
        amount = noise_band_amount(db, t)
        if amount and reading.days_over is not None and reading.days_over < halve_below:
            amount = amount / 2
            notes.append(f"{label}: exceeded on {reading.days_over} < {halve_below} days, halved (Annex 1 noise note 4)")
        return max(db, 0), amount

    day_db, day_amount = period(day_r, "day")
    night_db, night_amount = period(night_r, "night")
    if two_units is None:
        two_units = boundary_over_100m and exceeding_points >= int(rules.get("double_min_exceeding_points", 2))
    multiplier = 2 if two_units else 1
    if two_units:
        notes.append("boundary longer than 100 m with 2 or more exceeding points: counted as two units (Annex 1 noise note 1)")
    tax = round_fen((day_amount + night_amount) * multiplier)
    return NoiseTax(site, day_db, night_db, round_fen(day_amount), round_fen(night_amount), multiplier, tax, tuple(notes))


# --------------------------------------------------------------------------- monthly sheet


@dataclass(frozen=True)
class OutletMonth:
    """One outlet's month: its medium and per-pollutant :class:`PollutantInput`."""

    outlet: str
    medium: str
    pollutants: Mapping[str, PollutantInput | Mapping[str, Any]]
    reduction_allowed: bool = True
    note: str = ""

    @classmethod
    def from_value(cls, value: Any, index: int) -> OutletMonth:
        if isinstance(value, OutletMonth):
            return value
        if not isinstance(value, Mapping):
            raise EnvTaxError(f"outlet #{index + 1}: expected an object")
        allowed = {"outlet", "medium", "pollutants", "reduction_allowed", "note"}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise EnvTaxError(f"outlet #{index + 1}: unknown field(s) {', '.join(unknown)}")
        if "medium" not in value or "pollutants" not in value:
            raise EnvTaxError(f"outlet #{index + 1}: medium and pollutants are required")
        return cls(
            outlet=str(value.get("outlet") or f"#{index + 1}"),
            medium=value["medium"],
            pollutants=value["pollutants"],
            reduction_allowed=bool(value.get("reduction_allowed", True)),
            note=str(value.get("note", "")),
        )


@dataclass(frozen=True)
class TaxSheet:
    """Itemized monthly tax of one taxpayer (Law Art. 16-18: computed monthly, filed quarterly)."""

    period: str | None
    taxpayer: str | None
    outlets: tuple[OutletTax, ...]
    solid_waste: tuple[SolidWasteTax, ...]
    noise: tuple[NoiseTax, ...]
    totals: Mapping[str, Decimal]
    tax: Decimal
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "taxpayer": self.taxpayer,
            "tax": _fmt(self.tax),
            "totals": {k: _fmt(v) for k, v in self.totals.items()},
            "outlets": [o.as_dict() for o in self.outlets],
            "solid_waste": [s.as_dict() for s in self.solid_waste],
            "noise": [n.as_dict() for n in self.noise],
            "notes": list(self.notes),
        }


def monthly_tax_sheet(
    outlets: Sequence[OutletMonth | Mapping[str, Any]] = (),
    *,
    rates: Mapping[str, Rates | Any] | None = None,
    province: str | None = None,
    on: Any = None,
    region: str | None = None,
    facility_type: str | None = None,
    rate_table: RateTable | None = None,
    solid_waste: Sequence[Mapping[str, Any]] = (),
    noise: Sequence[Mapping[str, Any]] = (),
    period: str | None = None,
    taxpayer: str | None = None,
    tables: Tables | None = None,
    item_counts: Mapping[str, int] | None = None,
) -> TaxSheet:
    """The itemized tax sheet of one taxpayer and month.

    ``outlets``: :class:`OutletMonth` or mappings ``{"outlet", "medium",
    "pollutants": {name: {emission_kg, concentration, max_concentration,
    standard, ...}}, "reduction_allowed"}`` (Reg. Art. 8: each outlet
    separately; use an outlet such as "无组织" for fugitive air emissions).
    Rates: ``rates={"air": 1.2, "water": 1.4}`` (numbers or :class:`Rates`),
    or ``province`` (+ ``on``, ``region``, ``facility_type``) looked up in
    ``rate_table`` (default: the packaged table). ``solid_waste``: mappings
    with the arguments of :func:`solid_waste_tax`; ``noise``: mappings with the
    arguments of :func:`noise_tax`.
    """
    t = _tables(tables)
    months = [OutletMonth.from_value(o, i) for i, o in enumerate(outlets)]
    notes: list[str] = []

    rate_by_medium: dict[str, Rates] = {}
    needed = {_check_medium(o.medium) for o in months}
    if rates is not None:
        if not isinstance(rates, Mapping):
            raise EnvTaxError("rates must map 'air'/'water' to a rate")
        for medium in needed:
            if medium not in rates:
                raise RateNotConfiguredError(f"no {medium} rate given")
            rate_by_medium[medium] = make_rates(medium, rates[medium], tables=t)
    elif needed:
        if not province:
            raise RateNotConfiguredError("give rates or a province to look them up (Law Art. 6)")
        entry = (rate_table or RateTable.default()).lookup(province, on, region=region, facility_type=facility_type)
        for medium in needed:
            rate_by_medium[medium] = entry.rates(medium, t)
        notes.append(f"rates: {entry.province} from {entry.effective_from} [{entry.status}] {entry.source}".strip())

    # taxpayer-wide loss of reductions (财税〔2018〕117号 reading, configurable)
    allow_all = True
    if t.reduction_scope == "taxpayer":
        for o in months:
            for name, raw in o.pollutants.items():
                if exceeds_standard(PollutantInput.from_value(name, raw)):
                    allow_all = False
                    notes.append(
                        f"reductions withheld for every outlet: {name} at {o.outlet} exceeded its standard "
                        "(财税〔2018〕117号, scope 'taxpayer')"
                    )
                    break
            if not allow_all:
                break

    results = []
    seen_outlets: set[tuple[str, str]] = set()
    for o in months:
        if (o.outlet, o.medium) in seen_outlets:
            raise EnvTaxError(f"outlet {o.outlet!r} ({o.medium}) appears twice")
        seen_outlets.add((o.outlet, o.medium))
        allowed = o.reduction_allowed and allow_all
        reason = o.note or ("reductions withheld (taxpayer-wide exceedance)" if not allow_all else "")
        try:
            results.append(
                compute_outlet(
                    o.medium,
                    o.pollutants,
                    rate_by_medium[o.medium],
                    outlet=o.outlet,
                    tables=t,
                    item_counts=item_counts,
                    reduction_allowed=allowed,
                    reduction_note=reason,
                )
            )
        except EnvTaxError as exc:
            exc.args = (f"outlet {o.outlet}: {exc}",)
            raise

    solids = []
    for i, s in enumerate(solid_waste):
        if not isinstance(s, Mapping) or "item" not in s or "generated_t" not in s:
            raise EnvTaxError(f"solid_waste #{i + 1}: item and generated_t are required")
        kwargs = dict(s)
        solids.append(solid_waste_tax(kwargs.pop("item"), kwargs.pop("generated_t"), tables=t, **_only(kwargs, i, "solid_waste", ("stored_t", "disposed_t", "reused_t", "illegal_dumping"))))
    noises = []
    for i, n in enumerate(noise):
        if not isinstance(n, Mapping):
            raise EnvTaxError(f"noise #{i + 1}: expected an object")
        noises.append(
            noise_tax(tables=t, **_only(dict(n), i, "noise", ("day", "night", "site", "boundary_over_100m", "exceeding_points", "two_units")))
        )

    totals = {
        AIR: sum((r.tax for r in results if r.medium == AIR), ZERO.quantize(CENT)),
        WATER: sum((r.tax for r in results if r.medium == WATER), ZERO.quantize(CENT)),
        "solid_waste": sum((s.tax for s in solids), ZERO.quantize(CENT)),
        "noise": sum((n.tax for n in noises), ZERO.quantize(CENT)),
    }
    return TaxSheet(period, taxpayer, tuple(results), tuple(solids), tuple(noises), totals, sum(totals.values(), ZERO), tuple(notes))


def _only(kwargs: dict[str, Any], index: int, what: str, allowed: Sequence[str]) -> dict[str, Any]:
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise EnvTaxError(f"{what} #{index + 1}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return kwargs
