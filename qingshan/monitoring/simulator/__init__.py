"""Simulated HJ 212 data loggers (``qingshan simulate``): real TCP, realistic data, episodes.

See :mod:`.client` (modes ``live`` and ``load``), :mod:`.generator` (values,
episodes, packets) and :mod:`.loggers` (registered or synthetic loggers).
"""

from .client import Simulator
from .generator import Probabilities, SimLogger, corrupt
from .loggers import LoggerSpec, load_loggers, register_synthetic



def demo_services(ctx=None) -> list[list[str]]:
    """What ``qingshan demo`` runs beside the web server so the dashboard comes alive.

    The HJ 212 server on ``QINGSHAN_HJ212_ADDR`` and every registered logger
    simulated on the wall clock, starting with the last 6 hours of hourly data.
    Imported by the monitoring app's ``demo.py`` as its ``demo_services`` hook.
    """
    return [
        ["hj212_server"],
        ["simulate", "--loggers", "all", "--interval", "30", "--backfill-hours", "6"],
    ]


__all__ = ["demo_services", "LoggerSpec", "Probabilities", "SimLogger", "Simulator", "corrupt", "load_loggers", "register_synthetic"]
