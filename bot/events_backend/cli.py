"""`python -m bot events-backend`: the bundled Open311 events backend, for local runs without 云治前进."""
import argparse

from bot import settings
from bot.events_backend import server


def register(subparsers: argparse._SubParsersAction) -> None:
    backend = subparsers.add_parser("events-backend", help="启动本地的 Open311 事件平台（没有配置 EVENTS_BACKEND_URL 时使用）")
    backend.add_argument("--port", type=int, help="端口（默认 EVENTS_BACKEND_PORT）")
    backend.add_argument("--db", help="数据文件（默认 $DATA_DIR/events_backend.db）")
    backend.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    backend.add_argument("--allow-faults", action="store_true", help="允许 POST /_faults 模拟故障（仅用于测试）")
    backend.set_defaults(handler=events_backend_command)


def events_backend_command(args: argparse.Namespace) -> int:
    port = args.port if args.port is not None else int(settings.get("EVENTS_BACKEND_PORT") or 8090)
    db = args.db or settings.data_dir() / "events_backend.db"
    key = settings.secret("EVENTS_BACKEND_API_KEY")
    return server.run(port, db, key, host=args.host, allow_faults=args.allow_faults)
