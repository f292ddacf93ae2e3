"""`python -m bot knowledge ...`: let staff check the knowledge files they edited, and list what is there."""
import argparse
from pathlib import Path
from typing import Optional

from bot import settings
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("knowledge", help="检查或列出知识库（knowledge/*.yml）")
    commands = parser.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="检查知识库文件，列出每一处需要修改的地方")
    check.set_defaults(handler=check_command)
    listing = commands.add_parser("list", help="列出所有条目：id、标题、所在文件")
    listing.set_defaults(handler=list_command)
    for command in (check, listing):
        command.add_argument("--dir", type=Path, help="知识库目录（默认 KNOWLEDGE_DIR，即 knowledge）")


def check_command(args: argparse.Namespace) -> int:
    knowledge = _load(args.dir)
    if knowledge is None:
        return 1
    print(f"知识库检查通过：{len(knowledge)} 条（{len(knowledge.files)} 个文件）")
    return 0


def list_command(args: argparse.Namespace) -> int:
    knowledge = _load(args.dir)
    if knowledge is None:
        return 1
    for entry in knowledge:
        print(f"{entry.id:<28} {entry.file:<18} {entry.title}")
    return 0


def _load(directory: Optional[Path]) -> Optional[KnowledgeBase]:
    """The knowledge base, or None after printing every problem to fix."""
    try:
        return load_knowledge(directory or settings.path("KNOWLEDGE_DIR"))
    except KnowledgeError as error:
        print("\n".join(error.problems))
        print(f"知识库有 {len(error.problems)} 处问题，请修改后再运行 python -m bot knowledge check")
        return None
