"""The widget's signed conversation ids, without a server."""
import string

from bot import senders, widget_ids

SECRET = "test-secret"


def test_an_issued_id_opens_a_widget_conversation_named_by_its_random_part():
    widget_id = widget_ids.issue(SECRET)
    random_part, signature = widget_id.split(".")
    assert widget_ids.conversation_of(widget_id, SECRET) == senders.widget_conversation(random_part)
    assert signature not in widget_ids.conversation_of(widget_id, SECRET)
    assert widget_ids.issue(SECRET) != widget_id


def test_an_id_with_any_one_character_changed_opens_nothing():
    widget_id = widget_ids.issue(SECRET)
    for position, character in enumerate(widget_id):
        for replacement in (string.ascii_letters + string.digits + "-_.")[:8]:
            if replacement != character:
                changed = widget_id[:position] + replacement + widget_id[position + 1:]
                assert widget_ids.conversation_of(changed, SECRET) is None, changed


def test_unsigned_foreign_and_odd_ids_open_nothing():
    random_part = widget_ids.issue(SECRET).split(".")[0]
    for sender in ["oABCDEFGHIJKLMNOPQRSTUVWXYZ0", "a1b2c3d4-e5f6-4789-8abc-def012345678", random_part,
                   f"{random_part}.", f"widget:{random_part}", widget_ids.issue("another server's secret"),
                   widget_ids.issue(SECRET) + "\n", "令牌.令牌", ""]:
        assert widget_ids.conversation_of(sender, SECRET) is None, sender
