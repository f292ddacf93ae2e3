"""Where the knowledge tests find their data."""
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REAL_KNOWLEDGE = PROJECT_ROOT / "knowledge"
