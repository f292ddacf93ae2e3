"""The six kinds of problem residents report, and the Open311 service code each is filed under."""
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
