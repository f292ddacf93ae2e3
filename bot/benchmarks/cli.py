"""`python -m bot bench`: run every benchmark once and print the table (exit 0 whatever the figures say).

The benchmark modules are imported only when the command runs: detecting the channels' "busy" reply imports
Rasa, which would slow down every other `python -m bot` command.
"""
import argparse
from typing import List

DEFAULT_RESIDENTS = "1,10,50"
DEFAULT_WORKERS = "1,2"
DEFAULT_MAX_REQUESTS = 1000
DEFAULT_MAX_SECONDS = 30.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="latency, throughput, start-up, memory and answer accuracy figures")
    parser.add_argument("--skip-training-time", action="store_true",
                        help="do not time a full `rasa train` (it takes minutes)")
    parser.add_argument("--residents", type=_counts, default=_counts(DEFAULT_RESIDENTS),
                        help=f"concurrent residents per cell, comma-separated (default {DEFAULT_RESIDENTS})")
    parser.add_argument("--workers", type=_counts, default=_counts(DEFAULT_WORKERS),
                        help=f"Sanic workers of the Rasa server, one stack each, comma-separated (default "
                             f"{DEFAULT_WORKERS})")
    parser.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS,
                        help=f"requests per cell at most (default {DEFAULT_MAX_REQUESTS})")
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS,
                        help=f"seconds per cell at most (default {DEFAULT_MAX_SECONDS:g})")
    parser.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    from bot.benchmarks.suite import run_all

    return run_all(args.residents, args.workers, args.max_requests, args.max_seconds, not args.skip_training_time)


def _counts(text: str) -> List[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, e.g. {DEFAULT_RESIDENTS}")
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("each number must be at least 1")
    return counts
