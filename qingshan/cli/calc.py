"""``qingshan calc <topic>``: run one standard's computation on JSON from stdin.

Each topic lives in its own module ``qingshan.cli.calc_<topic>`` that defines
``add_arguments(parser)`` and ``run(args, data) -> dict`` where ``data`` is the
parsed JSON input. Errors in the input are reported as a JSON object
``{"error": "..."}`` on stdout with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

TOPICS = {
    "water": ("qingshan.cli.calc_water", "GB 3838-2002 surface water class of one sample"),
    "aqi": ("qingshan.cli.calc_aqi", "HJ 633 air quality index (2012 or 2026 rules)"),
    "envtax": ("qingshan.cli.calc_envtax", "environmental protection tax of one outlet and month"),
}


class InputError(ValueError):
    """Raised by a topic for input it cannot compute; becomes {"error": ...}."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="qingshan calc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="topic", required=True)
    modules = {}
    for topic, (module_name, help_text) in TOPICS.items():
        p = sub.add_parser(topic, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        modules[topic] = module
        module.add_arguments(p)
    args = parser.parse_args(argv)
    if args.topic not in modules:
        print(json.dumps({"error": f"topic {args.topic!r} is not available"}))
        return 2
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(json.dumps({"error": f"input is not valid JSON: {exc}"}, ensure_ascii=False))
        return 2
    try:
        result = modules[args.topic].run(args, data)
    except (InputError, ValueError, TypeError, KeyError) as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0
