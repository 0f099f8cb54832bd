"""Realistic value ranges of the factors a simulated logger reports.

Per HJ 212-2017 factor code: a typical level, the relative noise, decimals,
and the physical bounds. Pollutants with a permit limit are generated as a
fraction of the limit (most plants run at 20–70 % of it); the rest (flow,
temperature, O2, pH …) around their typical level.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FactorProfile:
    code: str
    typical: float  # typical level (unit of HJ 212-2017 Table B)
    noise: float  # relative standard deviation of real-time values
    decimals: int
    low: float = 0.0
    high: float = 1e9
    pollutant: bool = False  # has a concentration limit; exceedances and flat lines apply
    cumulative: bool = False  # report Cou (flow: volume of the period)


PROFILES = {p.code: p for p in [
    # flue gas (ST 31)
    FactorProfile("a21026", 60.0, 0.15, 2, pollutant=True),  # SO2 mg/m3
    FactorProfile("a21002", 90.0, 0.12, 1, pollutant=True),  # NOx mg/m3
    FactorProfile("a34013", 12.0, 0.20, 1, pollutant=True),  # dust mg/m3
    FactorProfile("a01012", 55.0, 0.04, 1, 0, 300),  # flue gas temperature °C
    FactorProfile("a01013", 0.12, 0.20, 3, -5, 5),  # flue gas pressure kPa
    FactorProfile("a01014", 8.5, 0.08, 1, 0, 100),  # humidity %
    FactorProfile("a19001", 9.5, 0.05, 1, 0, 21),  # O2 %
    FactorProfile("a01011", 11.0, 0.06, 2, 0, 40),  # velocity m/s
    FactorProfile("a00000", 95.0, 0.06, 1, 0, 1e6, cumulative=True),  # flue gas flow m3/s
    # waste water (ST 32)
    FactorProfile("w01018", 35.0, 0.10, 1, pollutant=True),  # COD mg/L
    FactorProfile("w21003", 3.0, 0.15, 2, pollutant=True),  # NH3-N mg/L
    FactorProfile("w21011", 0.3, 0.15, 3, pollutant=True),  # TP mg/L
    FactorProfile("w21001", 9.0, 0.12, 2, pollutant=True),  # TN mg/L
    FactorProfile("w01001", 7.2, 0.03, 2, 0, 14),  # pH
    FactorProfile("w00000", 25.0, 0.10, 2, 0, 1e6, cumulative=True),  # waste water flow L/s
]}

DEFAULT = FactorProfile("", 10.0, 0.10, 2)

#: factors of a synthetic logger (the demo city's loggers carry their own list)
AIR_FACTORS = ["a21026", "a21002", "a34013", "a01012", "a01013", "a01014", "a19001", "a00000"]
WATER_FACTORS = ["w01018", "w21003", "w21011", "w01001", "w00000"]


def profile(code: str) -> FactorProfile:
    return PROFILES.get(code) or FactorProfile(code, DEFAULT.typical, DEFAULT.noise, DEFAULT.decimals)
