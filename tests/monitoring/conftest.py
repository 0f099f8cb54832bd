import datetime

import pytest

UTC = datetime.timezone.utc


@pytest.fixture(autouse=True)
def _fresh_alarm_cache():
    from qingshan.monitoring import alarms

    alarms.invalidate_cache()
    yield
    alarms.invalidate_cache()


def _logger_with_limit(factor, averaging):
    from qingshan.registry.models import DataLogger, PermitLimit

    lim = (PermitLimit.objects.filter(factor_code=factor, averaging=averaging, permit__status="valid",
                                      concentration_limit__isnull=False, outlet__loggers__isnull=False)
           .select_related("outlet").order_by("pk").first())
    lg = (DataLogger.objects.filter(outlet=lim.outlet).exclude(monitoring_role__position="inlet")
          .select_related("outlet", "enterprise", "region").order_by("pk").first())
    return lg, float(lim.concentration_limit)


@pytest.fixture
def air_logger(db):
    """(logger, hourly SO2 limit) of a demo flue-gas logger."""
    return _logger_with_limit("a21026", "hourly")


@pytest.fixture
def water_logger(db):
    """(logger, daily COD limit) of a demo waste-water logger."""
    return _logger_with_limit("w01018", "daily")


@pytest.fixture
def t0():
    # far after the demo history, so no demo alarm or value interferes
    return datetime.datetime(2031, 3, 10, 0, 0, tzinfo=UTC)
