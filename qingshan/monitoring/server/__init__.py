"""The HJ 212 ingest server (``qingshan hj212-server``); see docs/monitoring-server.md."""

from .app import DATA_CNS, Connection, HJ212Server, serve
from .config import ServerConfig, parse_addr
from .directory import LoggerDirectory, LoggerInfo, load_loggers
from .writer import Job, Writer

__all__ = ["DATA_CNS", "Connection", "HJ212Server", "Job", "LoggerDirectory", "LoggerInfo", "ServerConfig", "Writer",
           "load_loggers", "parse_addr", "serve"]
