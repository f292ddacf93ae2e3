"""A small Open311 GeoReport v2 events backend standing in for 云治前进 in local runs and tests.

It answers the GeoReport v2 calls clients use, in XML and JSON (services, service definitions, filing, listing
with the spec's filters, one request), files one event per ticket number (so a resent report is not filed twice),
lets staff move an event along (`POST /requests/{id}/status`), deletes one on a resident's request
(`DELETE /requests/{id}.json`, our extension), keeps residents' personal data no longer than the RETENTION_*
settings say, and, when started with faults allowed, can be told to misbehave (`POST /_faults`). Every route needs
EVENTS_BACKEND_API_KEY as `api_key`.
"""
from bot.events_backend.server import EventsBackendServer, run, serve
from bot.events_backend.store import EventStore

__all__ = ["EventStore", "EventsBackendServer", "run", "serve"]
