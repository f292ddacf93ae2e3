"""The decisions behind the rate limits, without Rasa: which address a request came from, and when a limit refuses
and recovers (counted in the short memory each test gets of its own, tests/conftest.py)."""
import sqlite3
import time
from contextlib import closing

import pytest

from bot import rate_limits, short_memory
from bot.rate_limits import Limit, address_key, client_address

PROXIES = rate_limits._networks("10.0.0.0/8, 192.168.1.5, 2001:db8:1::/48")


@pytest.mark.parametrize("peer, forwarded_for, expected", [
    # A client talking to the server directly: whatever it writes in the header is ignored.
    ("203.0.113.7", ["1.2.3.4"], "203.0.113.7"),
    ("203.0.113.7", ["10.0.0.1, 1.2.3.4"], "203.0.113.7"),
    # Behind a trusted proxy: the address the proxy appended, not what the client put before it.
    ("10.0.0.2", ["203.0.113.7"], "203.0.113.7"),
    ("10.0.0.2", ["1.2.3.4, 203.0.113.7"], "203.0.113.7"),
    # Two trusted proxies: the right-most address that is not one of them.
    ("192.168.1.5", ["1.2.3.4, 203.0.113.7, 10.9.8.7"], "203.0.113.7"),
    ("192.168.1.5", ["1.2.3.4", "203.0.113.7, 10.9.8.7"], "203.0.113.7"),  # the header sent twice
    # A trusted proxy that names no client: the proxy, or the left-most proxy in the header.
    ("10.0.0.2", [], "10.0.0.2"),
    ("10.0.0.2", ["10.0.0.3"], "10.0.0.3"),
    # Something that is not an address is not a proxy's: the last trusted hop stands.
    ("10.0.0.2", ["1.2.3.4, unknown"], "10.0.0.2"),
    ("10.0.0.2", ["1.2.3.4, <script>"], "10.0.0.2"),
    # Addresses as proxies write them: with ports, bracketed IPv6, IPv4-mapped IPv6.
    ("10.0.0.2", ["203.0.113.7:5120"], "203.0.113.7"),
    ("2001:db8:1::9", ["[2001:db8:2::7]:443"], "2001:db8:2::7"),
    ("::ffff:10.0.0.2", ["203.0.113.7"], "203.0.113.7"),
])
def test_the_client_address_believes_only_trusted_proxies(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_read():
    assert client_address("127.0.0.1", ["203.0.113.7"], ()) == "127.0.0.1"


def test_trusted_proxies_come_from_the_setting(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", " 127.0.0.1 ,10.0.0.0/8,, ::1")
    assert [str(n) for n in rate_limits.trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert rate_limits.trusted_proxies() == ()


def test_a_mistyped_proxy_stops_the_server_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, nginx")
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'nginx'"):
        rate_limits.trusted_proxies()


def test_ipv6_clients_are_counted_by_their_64_network():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("203.0.113.7") == "203.0.113.7"


def _start_of_a_window(seconds: float) -> None:
    time.sleep(seconds - time.time() % seconds + 0.01)


def test_a_limit_refuses_over_its_number_and_recovers_when_its_window_ends():
    limit = Limit("test", allowed=3, seconds=1.0)
    _start_of_a_window(limit.seconds)
    assert [limit.allows("resident-1") for _ in range(5)] == [True, True, True, False, False]
    assert limit.allows("resident-2"), "another key has its own count"
    _start_of_a_window(limit.seconds)
    assert limit.allows("resident-1")


def test_limits_of_different_kinds_count_apart():
    _start_of_a_window(1.0)
    assert Limit("one", allowed=1, seconds=1.0).allows("same")
    assert Limit("two", allowed=1, seconds=1.0).allows("same")


def test_the_memory_keeps_no_address_or_openid_in_clear(tmp_path):
    Limit("address", allowed=5, seconds=60).allows("203.0.113.7")
    Limit("conversation", allowed=5, seconds=60).allows("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    with closing(sqlite3.connect(tmp_path / "short_memory.db")) as db:  # this test's own (tests/conftest.py)
        keys = [key for (key,) in db.execute("SELECT key FROM short_memory")]
    assert len(keys) == 2 and not any("203.0.113" in key or "o6_bmjr" in key for key in keys), keys


def test_zero_means_no_limit():
    assert all(Limit("test", allowed=0, seconds=60).allows("resident-1") for _ in range(100))


def test_an_unreachable_memory_lets_the_message_through(monkeypatch):
    class Broken:
        def count(self, key: str, seconds: float) -> int:
            raise ConnectionError("redis is down")

    monkeypatch.setattr(short_memory, "_shared", Broken())
    assert Limit("test", allowed=1, seconds=60).allows("resident-1")
    assert Limit("test", allowed=1, seconds=60).allows("resident-1")


def test_the_limits_read_their_settings(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_CONVERSATION_PER_MINUTE", "20")
    monkeypatch.setenv("RATE_LIMIT_ADDRESS_PER_MINUTE", "60")
    monkeypatch.setenv("RATE_LIMIT_TICKET_LOOKUPS_PER_HOUR", "10")
    assert rate_limits.per_conversation() == Limit("conversation", 20, 60)
    assert rate_limits.per_address() == Limit("address", 60, 60)
    assert rate_limits.ticket_lookups() == Limit("ticket-lookup", 10, 3600)


@pytest.mark.parametrize("value", ["", "twenty", "-1", "2.5"])
def test_a_limit_that_is_not_a_whole_number_is_refused_clearly(monkeypatch, value):
    monkeypatch.setenv("RATE_LIMIT_CONVERSATION_PER_MINUTE", value)
    with pytest.raises(ValueError, match="RATE_LIMIT_CONVERSATION_PER_MINUTE must be a whole number"):
        rate_limits.per_conversation()
