"""A report category is defined once, in bot/governance/categories.py; everything that cannot be read from there
must agree with it. A category added, renamed or removed there and forgotten in any of these fails here.

The bundled events backend reads its service list from SERVICE_CODES (tests/governance/test_events_backend.py
checks what it answers); the report form's buttons, the draft check and the models read CATEGORIES.
"""
import re

import yaml
from sqlalchemy import inspect

from bot.governance import db
from bot.governance.categories import CATEGORIES, OTHER, SERVICE_CODES
from bot.governance.models import Report
from bot.reporting.category import ANSWER_EXAMPLES, KEYWORDS
from bot.settings import PROJECT_ROOT

README_HEADER = "| our category | `service_code` |"


def readme_table():
    """(category, service_code) rows of README.md's table of categories, in order."""
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert README_HEADER in lines, f"README.md has no table starting with {README_HEADER}"
    rows = []
    for line in lines[lines.index(README_HEADER) + 2:]:
        if not line.startswith("|"):
            break
        name, code = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        rows.append((name, code))
    return rows


def test_each_category_has_its_own_service_code():
    assert len(set(SERVICE_CODES.values())) == len(SERVICE_CODES)
    assert OTHER in CATEGORIES


def test_each_category_fits_the_database_column():
    assert max(len(name) for name in CATEGORIES) <= Report.__table__.c.category.type.length


def test_each_category_has_the_words_residents_use_for_it():
    # What a description says points at every kind but OTHER; a resident may name any kind in their own words.
    assert set(KEYWORDS) == set(CATEGORIES) - {OTHER}
    assert set(ANSWER_EXAMPLES) == set(CATEGORIES)


def test_each_category_typed_as_it_is_trains_inform_category():
    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "report.yml").read_text(encoding="utf-8"))["nlu"]
    [examples] = [item["examples"] for item in nlu if item.get("intent") == "inform_category"]
    typed = {line.strip()[1:].strip() for line in examples.splitlines() if line.strip().startswith("-")}

    assert set(CATEGORIES) <= typed


def test_a_database_brought_to_the_newest_schema_accepts_exactly_the_categories(database_url):
    """The migrations are a fixed record: a new or renamed category needs a new migration, not an edit of 0001."""
    engine = db.create_engine(database_url)
    try:
        db.upgrade_engine(engine)
        with engine.connect() as connection:
            checks = inspect(connection).get_check_constraints("reports")
    finally:
        engine.dispose()
    [check] = [check for check in checks if "category" in check["sqltext"]]

    assert set(re.findall(r"'([^']*)'", check["sqltext"])) == set(CATEGORIES)


def test_the_readme_table_lists_each_category_and_its_service_code():
    assert readme_table() == list(SERVICE_CODES.items())

