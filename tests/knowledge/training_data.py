"""A project's training data for a knowledge base, written the way this project writes its own, so the knowledge
tests can check a small knowledge base against training data that matches it."""
from pathlib import Path
from typing import Iterable

from bot.knowledge.wiring import MIN_EXAMPLES, REPORT_INTERRUPTION_RULE


def write_training_data(project: Path, entry_ids: Iterable[str], examples: int = MIN_EXAMPLES) -> None:
    """domain.yml, data/nlu/knowledge/topics.yml, data/rules/knowledge.yml and data/rules/report.yml in `project`."""
    intents = [f"ask_{entry_id}" for entry_id in entry_ids]
    (project / "data" / "nlu" / "knowledge").mkdir(parents=True, exist_ok=True)
    (project / "data" / "rules").mkdir(parents=True, exist_ok=True)
    follow_ups = ["ask_where", "ask_detail", "ask_capabilities"]
    (project / "domain.yml").write_text(
        'version: "3.1"\nintents:\n  - greet\n' + "".join(f"  - {intent}\n" for intent in follow_ups + intents),
        encoding="utf-8",
    )
    (project / "data" / "nlu" / "knowledge" / "topics.yml").write_text(
        'version: "3.1"\nnlu:\n'
        + "".join(
            f"- intent: {intent}\n  examples: |\n" + "".join(f"    - 问题{number}\n" for number in range(examples))
            for intent in intents
        ),
        encoding="utf-8",
    )
    (project / "data" / "rules" / "knowledge.yml").write_text(
        'version: "3.1"\nrules:\n'
        + "".join(
            f"- rule: 回答 {intent[4:]}\n  steps:\n  - intent: {intent}\n  - action: action_answer_question\n"
            for intent in intents + ["ask_where"]
        ),
        encoding="utf-8",
    )
    (project / "data" / "rules" / "report.yml").write_text(
        'version: "3.1"\nrules:\n'
        f"- rule: {REPORT_INTERRUPTION_RULE}\n  condition:\n  - active_loop: report_form\n  steps:\n  - or:\n"
        + "".join(f"    - intent: {intent}\n" for intent in intents)
        + "  - action: action_answer_question\n  - action: report_form\n  - active_loop: report_form\n",
        encoding="utf-8",
    )
