"""`python -m bot ...`: one entry point for operators and staff; each area registers its own sub-commands."""
import argparse
import logging
from typing import List, Optional

from bot import settings


def build_parser() -> argparse.ArgumentParser:
    from bot import evaluation, run, training
    from bot.benchmarks import cli as benchmarks
    from bot.console import cli as console
    from bot.events_backend import cli as events_backend
    from bot.governance import cli as governance
    from bot.knowledge import cli as knowledge
    from bot.personal_data import cli as personal_data
    from bot.staff_reports import cli as staff_reports

    parser = argparse.ArgumentParser(prog="python -m bot", description="前进小助手 command line")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for area in (run, training, evaluation, knowledge, staff_reports, governance, personal_data, events_backend,
                 console, benchmarks):
        area.register(subparsers)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    settings.load()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.handler(args)
