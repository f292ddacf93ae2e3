"""Hide residents' phone numbers wherever their words are shown to staff or written to logs."""
import re

# 13812345678, 138 1234 5678, 138-1234-5678, +86 13812345678 -> 138****5678
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?)(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
# 0571-87654321, (0571)87654321, 057187654321 -> 0571-****4321
_LANDLINE = re.compile(r"(?<![\d(])(\(?0\d{2,3}\)?)([- ]?)\d{3,4}(\d{4})(?!\d)")
# 87654321 (a local number without area code); 8-digit dates such as 20230615 are left alone.
_LOCAL = re.compile(r"(?<!\d)(?!(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d))[2-9]\d{3}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """`text` with every mobile and landline number masked, keeping only what identifies no one."""
    text = _MOBILE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    return _LOCAL.sub(lambda m: f"****{m.group(1)}", text)
