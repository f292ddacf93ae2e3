"""The six kinds of problem residents report, and the Open311 service code each is filed under.

The one place a category is defined. The report form's buttons, the queue's check of a draft, the database
models, the Open311 client and the bundled events backend's service list all read it from here. What cannot be
read from here is tested against it (tests/governance/test_categories.py): the words residents use for each kind
(`bot/reporting/category.py`), the typed names in the training data, the CHECK constraint the migrations leave
in the database, and the table in README.md.
"""
from typing import Dict

# Chinese name (what residents choose and staff read) -> Open311 service_code at the events backend.
SERVICE_CODES: Dict[str, str] = {
    "安全隐患": "safety",
    "矛盾纠纷": "dispute",
    "环境卫生": "environment",
    "交通停车": "traffic",
    "公共设施": "facility",
    "其他": "other",
}

CATEGORIES = tuple(SERVICE_CODES)
# What fits no other kind: no words in a description point at it, and a report whose kind stays unclear is
# filed under it for staff to re-file.
OTHER = "其他"
