"""`python -m bot knowledge ...`: let staff check the knowledge files they edited, list what is there, and turn a
staff answer into an entry draft.

`check` also checks that every entry can be asked about: its intent, training examples and rules in the
project's training data (`bot/knowledge/wiring.py`), and checks the drafts in `knowledge/drafts/`
(`bot/knowledge/drafts.py`), which are not live.
"""
import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from bot import settings
from bot.governance.consultations import ConsultationDesk
from bot.knowledge.drafts import DraftRefused, DraftStatus, check_drafts, describe, write_draft
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge, shown
from bot.knowledge.wiring import check_wiring


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("knowledge", help="检查或列出知识库（knowledge/*.yml）")
    commands = parser.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="检查知识库文件，列出每一处需要修改的地方")
    check.add_argument("--project", type=Path, help="项目目录，含 domain.yml 和 data/（默认本项目）")
    check.set_defaults(handler=check_command)
    listing = commands.add_parser("list", help="列出所有条目：id、标题、所在文件")
    listing.set_defaults(handler=list_command)
    draft = commands.add_parser(
        "draft", help="把一条已答复的咨询写成知识条目草稿（knowledge/drafts/<编号>.yml），审核后才能上线"
    )
    draft.add_argument("number", help="咨询编号，例如 ZX20261130-0001")
    draft.add_argument("--project", type=Path, help="项目目录，含 domain.yml 和 data/（默认本项目）")
    draft.set_defaults(handler=draft_command)
    for command in (check, listing, draft):
        command.add_argument("--dir", type=Path, help="知识库目录（默认 KNOWLEDGE_DIR，即 knowledge）")


@dataclass(frozen=True)
class KnowledgeCheck:
    """What `knowledge check` finds: every problem (one Chinese line each), the knowledge when it loads, and the
    drafts that passed."""

    problems: Tuple[str, ...]
    knowledge: Optional[KnowledgeBase]
    drafts: Tuple[DraftStatus, ...]

    def summary(self) -> str:
        if self.problems:
            return f"知识库有 {len(self.problems)} 处问题，请修改后再运行 python -m bot knowledge check"
        return (f"知识库检查通过：{len(self.knowledge)} 条（{len(self.knowledge.files)} 个文件），"
                "每条都有意图、训练例句和规则")


def check_knowledge(directory: Path, project: Path) -> KnowledgeCheck:
    """The entries, their wiring into the training data, and the drafts, checked as `knowledge check` does."""
    problems: List[str] = []
    knowledge = None
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as error:
        problems += error.problems
    problems += check_wiring(directory, project)
    draft_problems, drafts = check_drafts(directory, project)
    problems += draft_problems
    return KnowledgeCheck(tuple(problems), knowledge, tuple(drafts))


def check_command(args: argparse.Namespace) -> int:
    checked = check_knowledge(args.dir or settings.path("KNOWLEDGE_DIR"), args.project or settings.PROJECT_ROOT)
    if checked.problems:
        _print_problems(list(checked.problems))
        return 1
    print(checked.summary())
    for status in checked.drafts:
        print(describe(status))
    return 0


def draft_command(args: argparse.Namespace) -> int:
    directory = args.dir or settings.path("KNOWLEDGE_DIR")
    consultation = ConsultationDesk.from_env().get(args.number)
    if consultation is None:
        print(f"找不到咨询 {args.number.strip()}，请用 python -m bot queue list --kind consultation 查看编号")
        return 1
    try:
        path = write_draft(directory, consultation)
    except DraftRefused as refused:
        print(refused)
        return 1
    print(f"草稿已写入 {shown(path)}，请审核修改；它不会自动上线。")
    problems, drafts = check_drafts(directory, args.project or settings.PROJECT_ROOT, only=path)
    if problems:
        _print_problems(problems)
    for status in drafts:
        print(describe(status))
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
        _print_problems(error.problems)
        return None


def _print_problems(problems: List[str]) -> None:
    print("\n".join(problems))
    print(KnowledgeCheck(tuple(problems), None, ()).summary())
