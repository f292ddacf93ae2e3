"""How much one conversation, one client address and one conversation's ticket look-ups may ask for, and from which
address a request came.

Counted in fixed windows in the short memory every server shares (`short_memory.py`), so a limit holds across the
Sanic workers and the servers, and lifts by itself when its window ends. Over a limit the resident gets one of the
polite replies below instead of an answer. A setting of 0 switches a limit off. When the memory cannot be reached
the message is let through: a broken counter must not silence the bot. The memory keeps digests of what it counts,
never an address or an openid.

The client address is the socket peer. Only a peer in TRUSTED_PROXIES (addresses or networks, comma-separated) is
believed about the client: then the right-most address of X-Forwarded-For that is not itself a trusted proxy is
the client, as each proxy appends the address it received the request from and only the left part can be forged.
IPv6 clients are counted by their /64 network, the block one household or device gets.
"""
import ipaddress
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Tuple, Union

from bot import settings, short_memory

logger = logging.getLogger(__name__)

TOO_MANY_MESSAGES_TEXT = "您发消息有点快，请稍等一分钟再发给我，谢谢理解。"
TOO_MANY_TICKET_LOOKUPS_TEXT = "您查询工单号的次数有点多，为保护大家的信息，请一小时后再查。想看自己提交过的工单，可以直接发“查询我的工单”。"

MINUTE = 60.0
HOUR = 3600.0
IPV6_CLIENT_PREFIX = 64

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@dataclass(frozen=True)
class Limit:
    """At most `allowed` events for one key in each window of `seconds`; 0 allows any number."""

    name: str
    allowed: int
    seconds: float

    def allows(self, key: str) -> bool:
        """Count one more event for `key` and say whether it is within the limit."""
        if self.allowed == 0:
            return True
        try:
            counted = short_memory.shared().count(f"rate:{self.name}:{short_memory.digest(key)}", self.seconds)
        except Exception as error:  # SQLite busy for too long, Redis down: answer rather than refuse everyone
            logger.warning("rate limit %s not counted (%s); the message is let through", self.name, error)
            return True
        return counted <= self.allowed


def per_conversation() -> Limit:
    return Limit("conversation", _allowed("RATE_LIMIT_CONVERSATION_PER_MINUTE"), MINUTE)


def per_address() -> Limit:
    return Limit("address", _allowed("RATE_LIMIT_ADDRESS_PER_MINUTE"), MINUTE)


def ticket_lookups() -> Limit:
    return Limit("ticket-lookup", _allowed("RATE_LIMIT_TICKET_LOOKUPS_PER_HOUR"), HOUR)


def _allowed(key: str) -> int:
    value = settings.get(key).strip()
    if not value.isdigit():
        raise ValueError(f"{key} must be a whole number (0 = no limit), not {value!r}")
    return int(value)


def trusted_proxies() -> Tuple[Network, ...]:
    """TRUSTED_PROXIES as networks (a single address is a network of one)."""
    return _networks(settings.get("TRUSTED_PROXIES"))


@lru_cache(maxsize=8)
def _networks(value: str) -> Tuple[Network, ...]:
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or a network (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: Tuple[Network, ...]) -> str:
    """The address a request came from: `peer` (the socket's), or behind trusted `proxies` the client they name
    in the X-Forwarded-For headers `forwarded_for` (each a comma-separated list)."""
    current = _address(peer)
    if current is None:
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    while _is_trusted(current, proxies) and hops:
        claimed = _address(hops.pop())
        if claimed is None:  # a proxy writes an address; anything else came from the client
            break
        current = claimed
    return str(current)


def address_key(address: str) -> str:
    """What the address limit counts under: an IPv4 address, or an IPv6 address's /64 network."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return address if parsed is None else str(parsed)


def _is_trusted(address: Address, proxies: Tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def _address(text: str) -> Optional[Address]:
    """An IP address, also as written with a port ("203.0.113.7:5120", "[2001:db8::1]:443"); IPv4-mapped IPv6
    addresses as IPv4. None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
