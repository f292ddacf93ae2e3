"""The bundled events backend against the Open311 GeoReport v2 spec, in both formats, over real HTTP.

The shapes checked are the spec's own examples (wiki.open311.org/GeoReport_v2): `<services><service>`,
`<service_definition>`, `<service_requests><request>`, `<errors><error>`. XML is read here twice: by the standard
library, element by element, and by xmltodict the way GeoReport client libraries read it (`georeport` 0.3.1 does
exactly `xmltodict.parse(body)['service_requests']['request']`).
"""
import sqlite3
import xml.etree.ElementTree as ElementTree
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest
import requests
import xmltodict

from bot.events_backend import EventStore
from bot.governance.categories import SERVICE_CODES
from bot.governance.clock import SHANGHAI
from bot.personal_data.limits import RetentionLimits
from tests.governance.conftest import API_KEY

FORM = {"api_key": API_KEY, "service_code": "facility", "description": "路灯不亮了", "address_string": "前进路12号",
        "attribute[channel]": "wechat"}
PHOTO = "http://bot.example:5005/photos/abc.jpg"
# The spec's field order of a service request (GET /requests and GET /requests/{id}).
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
JSON_TYPE, XML_TYPE = "application/json; charset=utf-8", "text/xml; charset=utf-8"


def get(backend, path, **params):
    return requests.get(f"{backend.url}{path}", params={"api_key": API_KEY, **params}, timeout=5)


def post(backend, path, **fields):
    return requests.post(f"{backend.url}{path}", data={**FORM, **fields}, timeout=5)


def xml(reply):
    assert reply.headers["Content-Type"] == XML_TYPE
    return ElementTree.fromstring(reply.content)


def children(element):
    return [child.tag for child in element]


def file(backend, **fields) -> str:
    reply = post(backend, "/requests.json", **fields)
    assert reply.status_code == 201, reply.text
    return reply.json()[0]["service_request_id"]


def backdate(backend, request_id, moment):
    with closing(sqlite3.connect(backend.store.path)) as connection, connection:
        connection.execute("UPDATE requests SET requested_at = ? WHERE id = ?",
                           (moment.astimezone(SHANGHAI).isoformat(timespec="seconds"), int(request_id[2:])))


def listed(backend, fmt="json", **params):
    reply = get(backend, f"/requests.{fmt}", **params)
    assert reply.status_code == 200, reply.text
    if fmt == "json":
        return [record["service_request_id"] for record in reply.json()]
    return [request.findtext("service_request_id") for request in xml(reply)]


def test_services_in_xml_are_the_specs_shape(backend):
    root = xml(get(backend, "/services.xml"))

    assert root.tag == "services" and children(root) == ["service"] * len(SERVICE_CODES)
    first = root[0]
    assert children(first) == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                               "group"]
    assert {(s.findtext("service_code"), s.findtext("service_name")) for s in root} == {
        (code, name) for name, code in SERVICE_CODES.items()}
    assert (first.findtext("metadata"), first.findtext("type")) == ("true", "realtime")


def test_services_in_json_say_they_have_a_definition(backend):
    reply = get(backend, "/services.json")

    assert reply.headers["Content-Type"] == JSON_TYPE
    assert {service["metadata"] for service in reply.json()} == {True}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_service_definition_lists_the_attributes_we_accept(backend, fmt):
    reply = get(backend, f"/services/traffic.{fmt}")

    assert reply.status_code == 200
    if fmt == "json":
        definition = reply.json()
        assert definition["service_code"] == "traffic"
        attributes = definition["attributes"]
    else:
        root = xml(reply)
        assert root.tag == "service_definition" and children(root) == ["service_code", "attributes"]
        assert children(root.find("attributes")) == ["attribute"] * 4
        attributes = xmltodict.parse(reply.content)["service_definition"]["attributes"]["attribute"]
        assert children(root.find("attributes")[0]) == ["variable", "code", "datatype", "required",
                                                        "datatype_description", "order", "description"]
    assert [(a["code"], str(a["datatype"]), str(a["required"]).lower(), str(a["order"])) for a in attributes] == [
        ("ticket_no", "string", "false", "1"), ("channel", "string", "false", "2"),
        ("photo2", "string", "false", "3"), ("photo3", "string", "false", "4")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_with_the_specs_error(backend, fmt):
    reply = get(backend, f"/services/noise.{fmt}")

    assert reply.status_code == 404
    if fmt == "json":
        assert reply.json() == [{"code": 404, "description": "service_code 不存在：noise"}]
    else:
        root = xml(reply)
        assert (root.tag, children(root), children(root[0])) == ("errors", ["error"], ["code", "description"])
        assert (root[0].findtext("code"), root[0].findtext("description")) == ("404", "service_code 不存在：noise")


def test_filing_in_xml_answers_with_the_new_id(backend):
    reply = post(backend, "/requests.xml", lat="30.2741", long="120.1551", media_url=PHOTO)

    assert reply.status_code == 201
    root = xml(reply)
    assert (root.tag, children(root)) == ("service_requests", ["request"])
    assert root[0].findtext("service_request_id") == "YZ000001"
    assert xmltodict.parse(reply.content)["service_requests"]["request"]["service_request_id"] == "YZ000001"


def test_a_filed_request_comes_back_with_its_place_and_photo_in_both_formats(backend):
    request_id = file(backend, lat="30.2741", long="120.1551", media_url=PHOTO,
                      **{"attribute[photo2]": "https://bot.example/photos/b.png"})

    record = get(backend, f"/requests/{request_id}.json").json()
    root = xml(get(backend, f"/requests/{request_id}.xml"))

    assert len(record) == 1 and list(record[0]) == REQUEST_FIELDS
    assert (record[0]["lat"], record[0]["long"], record[0]["media_url"]) == (30.2741, 120.1551, PHOTO)
    assert (record[0]["address"], record[0]["status"], record[0]["service_name"]) == ("前进路12号", "open", "公共设施")
    assert (record[0]["agency_responsible"], record[0]["requested_datetime"]) == (
        "前进街道 云治前进", backend.store.get(request_id)["requested_at"])
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == REQUEST_FIELDS
    assert {field: root[0].findtext(field) for field in ("lat", "long", "media_url", "address", "status")} == {
        "lat": "30.2741", "long": "120.1551", "media_url": PHOTO, "address": "前进路12号", "status": "open"}
    assert root[0].find("status_notes").text is None and root[0].find("zipcode").text is None
    assert backend.store.get(request_id)["photo2"] == "https://bot.example/photos/b.png"


def test_coordinates_alone_are_a_place(backend):
    request_id = file(backend, address_string="", lat="0", long="-0.5")

    record = get(backend, f"/requests/{request_id}.json").json()[0]

    assert (record["address"], record["lat"], record["long"]) == (None, 0.0, -0.5)


@pytest.mark.parametrize("change, description", [
    ({"address_string": " "}, "缺少 address_string"),
    ({"lat": "30.27"}, "lat 和 long 要一起给出"),
    ({"address_string": "", "long": "120.15"}, "lat 和 long 要一起给出"),
    ({"lat": "91", "long": "120"}, "lat 应为 -90 到 90 之间的纬度"),
    ({"lat": "nan", "long": "120"}, "lat 应为 -90 到 90 之间的纬度"),
    ({"lat": "三十", "long": "120"}, "lat 应为 -90 到 90 之间的纬度"),
    ({"lat": "30", "long": "180.5"}, "long 应为 -180 到 180 之间的经度"),
    ({"lat": "30", "long": "1e999"}, "long 应为 -180 到 180 之间的经度"),
    ({"media_url": "javascript:alert(1)"}, "media_url 应为 http 或 https 网址"),
    ({"media_url": "ftp://bot.example/a.jpg"}, "media_url 应为 http 或 https 网址"),
    ({"media_url": "http:///a.jpg"}, "media_url 应为 http 或 https 网址"),
    ({"media_url": "http://[::1/a.jpg"}, "media_url 应为 http 或 https 网址"),
    ({"media_url": "http://bot.example/a b.jpg"}, "media_url 应为 http 或 https 网址"),
    ({"attribute[photo3]": "file:///etc/passwd"}, "attribute[photo3] 应为 http 或 https 网址"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_place_or_photo_link_is_refused_in_the_format_asked_for(backend, change, description, fmt):
    reply = post(backend, f"/requests.{fmt}", **change)

    assert reply.status_code == 400
    if fmt == "json":
        assert reply.json() == [{"code": 400, "description": description}]
    else:
        error = xml(reply).find("error")
        assert (error.findtext("code"), error.findtext("description")) == ("400", description)
    assert backend.store.count() == 0


def test_text_xml_cannot_carry_is_left_out_and_markup_is_escaped(backend):
    request_id = file(backend, description="灯坏了\x01\x1f <b>&amp; ]]>")

    root = xml(get(backend, f"/requests/{request_id}.xml"))

    assert root[0].findtext("description") == "灯坏了 <b>&amp; ]]>"


@pytest.mark.parametrize("path", ["/services.xml", "/services/traffic.xml", "/requests.xml", "/requests/YZ000001.xml"])
def test_xml_routes_need_the_key_and_say_so_in_xml(backend, path):
    file(backend)

    reply = requests.get(f"{backend.url}{path}", params={"api_key": "wrong"}, timeout=5)
    wrong_post = requests.post(f"{backend.url}/requests.xml", data={**FORM, "api_key": ""}, timeout=5)

    for refused in (reply, wrong_post):
        assert refused.status_code == 403
        error = xml(refused).find("error")
        assert (error.findtext("code"), error.findtext("description")) == ("403", "api_key 无效")
    assert backend.store.count() == 1


def test_the_list_answers_with_every_recent_request_newest_first(backend):
    ids = [file(backend, **{"attribute[ticket_no]": f"QJ20261130-000{n}"}) for n in range(1, 4)]

    assert listed(backend) == ids[::-1]
    assert listed(backend, "xml") == ids[::-1]
    root = xml(get(backend, "/requests.xml"))
    assert root.tag == "service_requests" and children(root[0]) == REQUEST_FIELDS
    parsed = xmltodict.parse(get(backend, "/requests.xml").content)["service_requests"]["request"]
    assert [request["service_request_id"] for request in parsed] == ids[::-1]


def test_an_empty_list_is_an_empty_element(backend):
    reply = get(backend, "/requests.xml")

    assert (xml(reply).tag, children(xml(reply))) == ("service_requests", [])
    assert get(backend, "/requests.json").json() == []


@pytest.fixture
def events(backend):
    """Five events: filed 1, 10, 40, 100 and 200 days ago; two of them closed; various categories."""
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    made = {}
    for days, code in ((1, "facility"), (10, "traffic"), (40, "facility"), (100, "environment"), (200, "facility")):
        made[days] = file(backend, service_code=code)
        backdate(backend, made[days], now - timedelta(days=days))
    for days in (10, 100):
        backend.store.set_status(made[days], "closed", "", "")
    return now, made


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_each_filter_of_the_list(backend, events, fmt):
    now, made = events

    def ids(**params):
        return listed(backend, fmt, **params)

    assert ids() == [made[1], made[10], made[40]]  # the most recent 90 days
    assert ids(service_code="facility") == [made[1], made[40]]
    assert ids(service_code="traffic, facility") == [made[1], made[10], made[40]]
    assert ids(status="closed") == [made[10]]
    assert ids(status="open,closed") == [made[1], made[10], made[40]]
    assert ids(status="open", service_code="facility") == [made[1], made[40]]
    stamp = now.astimezone(SHANGHAI)
    assert ids(start_date=(stamp - timedelta(days=150)).isoformat()) == [made[100]]
    assert ids(end_date=(stamp - timedelta(days=20)).isoformat()) == [made[40], made[100]]
    utc = (now - timedelta(days=101)).astimezone(timezone.utc)
    assert ids(start_date=utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
               end_date=(utc + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")) == [made[40], made[100]]
    exact = (stamp - timedelta(days=40)).isoformat()
    assert ids(start_date=exact, end_date=exact) == [made[40]]  # both ends included
    fraction = (now - timedelta(days=40)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.5Z")
    assert ids(start_date=fraction.replace(".5Z", ".0Z"), end_date=fraction) == [made[40]]
    # service_request_id overrides every other filter, old or closed; unknown ids are left out
    assert ids(service_request_id=f"{made[200]},YZ999999,nonsense, {made[10]}", status="open") == [
        made[10], made[200]]
    assert ids(service_request_id="YZ999999") == []


@pytest.mark.parametrize("params, description", [
    ({"start_date": "2026-01-01"}, "start_date 应为带时区的 W3C 日期时间"),
    ({"start_date": "2026-01-01T00:00:00"}, "start_date 应为带时区的 W3C 日期时间"),
    ({"end_date": "yesterday"}, "end_date 应为带时区的 W3C 日期时间"),
    ({"end_date": "2026-13-01T00:00:00Z"}, "end_date 应为带时区的 W3C 日期时间"),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "end_date 早于 start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"}, "start_date 到 end_date 不能超过 90 天"),
    ({"status": "pending"}, "status 只能是 open 或 closed"),
    ({"service_code": "traffic,noise"}, "service_code 不存在：noise"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_filter_is_a_400_with_the_specs_error(backend, params, description, fmt):
    reply = get(backend, f"/requests.{fmt}", **params)

    assert reply.status_code == 400
    if fmt == "json":
        [error] = reply.json()
    else:
        root = xml(reply)
        assert root.tag == "errors"
        error = {child.tag: child.text for child in root[0]}
    assert str(error["code"]) == "400" and error["description"].startswith(description)


def test_the_list_stops_at_a_thousand(backend):
    now = datetime.now(SHANGHAI).isoformat(timespec="seconds")
    with closing(sqlite3.connect(backend.store.path)) as connection, connection:
        connection.executemany(
            "INSERT INTO requests (service_code, description, address_string, requested_at, updated_at)"
            " VALUES ('other', ?, '前进街道', ?, ?)", [(f"第{n}件", now, now) for n in range(1001)])

    shown = listed(backend)

    assert len(shown) == 1000 and shown[0] == "YZ001001" and "YZ000001" not in shown


# The events table as the backend made it before these columns existed (and before retention, erased_at).
OLD_SCHEMA = """
CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_no TEXT UNIQUE, service_code TEXT NOT NULL,
    description TEXT NOT NULL, address_string TEXT NOT NULL, phone TEXT, channel TEXT,
    status TEXT NOT NULL DEFAULT 'open', detail TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
    requested_at TEXT NOT NULL, updated_at TEXT NOT NULL, posts INTEGER NOT NULL DEFAULT 1
)
"""


def test_an_existing_file_is_upgraded_in_place_and_keeps_its_events(tmp_path):
    path = tmp_path / "events_backend.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(OLD_SCHEMA)
        connection.execute("INSERT INTO requests (ticket_no, service_code, description, address_string, phone,"
                           " requested_at, updated_at) VALUES ('QJ20240501-0001', 'traffic', '旧的事件', '前进路',"
                           " '13812345678', '2026-11-01T08:00:00+08:00', '2026-11-01T08:00:00+08:00')")

    store = EventStore(path)
    EventStore(path)  # opening it again changes nothing

    old = store.get("YZ000001")
    assert (old["description"], old["lat"], old["media_url"], old["erased_at"]) == ("旧的事件", None, None, None)
    new_id, created = store.create({"service_code": "facility", "description": "新的", "address_string": "",
                                    "lat": 30.2, "long": 120.1, "media_url": PHOTO, "photo2": PHOTO + "2"})
    assert created and store.get(new_id)["long"] == 120.1 and store.get(new_id)["photo2"] == PHOTO + "2"
    with closing(sqlite3.connect(path)) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(requests)")]
        indexes = [row[1] for row in connection.execute("PRAGMA index_list(requests)")]
    assert columns[-6:] == ["erased_at", "lat", "long", "media_url", "photo2", "photo3"]
    assert "requests_requested_at" in indexes


def test_retention_and_deletion_take_the_place_and_photos_with_the_words(backend):
    erased_id = file(backend, lat="30.2741", long="120.1551", media_url=PHOTO,
                     **{"attribute[photo2]": PHOTO + "2", "attribute[photo3]": PHOTO + "3"})
    deleted_id = file(backend, lat="30.2741", long="120.1551", media_url=PHOTO)
    backend.store.set_status(erased_id, "closed", "", "")
    now = datetime.now(SHANGHAI)
    with closing(sqlite3.connect(backend.store.path)) as connection, connection:
        connection.execute("UPDATE requests SET updated_at = ? WHERE id = 1",
                           ((now - timedelta(days=91)).isoformat(timespec="seconds"),))

    assert backend.store.erase_expired(RetentionLimits(180, 90, 365), now=now) == (1, 0)
    assert requests.delete(f"{backend.url}/requests/{deleted_id}.xml", params={"api_key": API_KEY},
                           timeout=5).status_code == 200

    erased = backend.store.get(erased_id)
    assert [erased[column] for column in ("lat", "long", "media_url", "photo2", "photo3", "address_string")] == [
        None, None, None, None, None, ""]
    shown = get(backend, f"/requests/{erased_id}.json").json()[0]
    assert (shown["lat"], shown["long"], shown["media_url"], shown["address"]) == (None, None, None, "（已按保存期限删除）")
    assert backend.store.get(deleted_id) is None
