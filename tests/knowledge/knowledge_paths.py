"""Where the knowledge tests find their data."""
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
# The entries of the fixture knowledge base, in file order.
FIXTURE_IDS = ("elderly_lunch", "elderly_day_care", "veterans_station", "middle_school", "street_overview")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REAL_KNOWLEDGE = PROJECT_ROOT / "knowledge"
