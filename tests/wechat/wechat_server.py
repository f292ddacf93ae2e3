"""WeChat's server, as the channel sees it: messages as XML, signed and (in safe mode) encrypted.

Written from WeChat's documentation, independently of wechatpy (which the channel uses), so a test fails if the
channel's idea of the protocol drifts from WeChat's:
- signature = sha1 of the sorted, concatenated token, timestamp, nonce;
- safe mode: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = its first 16 bytes, PKCS#7 padding to 32-byte
  blocks, plaintext = 16 random bytes + 4-byte big-endian length + XML + AppID;
  msg_signature = sha1 of the sorted, concatenated token, timestamp, nonce, Encrypt.
"""
import base64
import hashlib
import os
import struct
import time
import uuid
import xml.etree.ElementTree as ElementTree
from typing import Dict, Optional

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


def new_openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


def sha1_signature(*values: str) -> str:
    return hashlib.sha1("".join(sorted(values)).encode("utf-8")).hexdigest()


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(openid: str, msg_type: str, fields: Dict[str, str], msg_id: Optional[int] = None,
                create_time: Optional[int] = None, account: str = "gh_qianjin0001") -> str:
    parts = [
        f"<ToUserName>{_cdata(account)}</ToUserName>",
        f"<FromUserName>{_cdata(openid)}</FromUserName>",
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
        f"<MsgType>{_cdata(msg_type)}</MsgType>",
    ]
    parts += [f"<{name}>{_cdata(value)}</{name}>" for name, value in fields.items()]
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def new_msg_id() -> int:
    return int.from_bytes(os.urandom(7), "big")


def text_xml(openid: str, content: str, msg_id: Optional[int] = None) -> str:
    return message_xml(openid, "text", {"Content": content}, msg_id or new_msg_id())


def voice_xml(openid: str, recognition: str, msg_id: Optional[int] = None) -> str:
    fields = {"MediaId": "media-voice-1", "Format": "amr", "Recognition": recognition}
    return message_xml(openid, "voice", fields, msg_id or new_msg_id())


def image_xml(openid: str, media_id: str = "media-image-1", pic_url: str = "http://mmbiz.qpic.cn/example.jpg",
              msg_id: Optional[int] = None) -> str:
    fields = {"PicUrl": pic_url, "MediaId": media_id}
    return message_xml(openid, "image", fields, msg_id or new_msg_id())


def location_xml(openid: str, latitude: str, longitude: str, label: str) -> str:
    """A location message: Location_X is the latitude, Location_Y the longitude (WeChat's documentation)."""
    fields = {"Location_X": latitude, "Location_Y": longitude, "Scale": "15", "Label": label}
    return message_xml(openid, "location", fields, new_msg_id())


def event_xml(openid: str, event: str, create_time: Optional[int] = None) -> str:
    return message_xml(openid, "event", {"Event": event}, create_time=create_time)


class WeChatServer:
    """`safe`: messages go in safe mode unless a call says otherwise, as for an account with an EncodingAESKey.
    Each request is signed with the current time and a fresh nonce, unless a call gives them (a retry, a replay)."""

    def __init__(self, webhook_url: str, token: str, encoding_aes_key: str, app_id: str, safe: bool = True) -> None:
        self.webhook_url = webhook_url
        self.token = token
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.app_id = app_id
        self.safe = safe

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, xml) -> str:
        body = xml if isinstance(xml, bytes) else xml.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        plain = plain[: -plain[-1]]
        (length,) = struct.unpack(">I", plain[16:20])
        if plain[20 + length:].decode() != self.app_id:
            raise AssertionError("reply encrypted for another AppID")
        return plain[20: 20 + length].decode("utf-8")

    def signed_params(self, signature: Optional[str] = None, timestamp: Optional[int] = None,
                      nonce: Optional[str] = None) -> Dict[str, str]:
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
        return {
            "signature": signature or sha1_signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }

    def verify(self, echostr: str, signature: Optional[str] = None,
               timestamp: Optional[int] = None) -> requests.Response:
        params = dict(self.signed_params(signature, timestamp), echostr=echostr)
        return requests.get(self.webhook_url, params=params, timeout=10)

    def post(self, xml, safe: Optional[bool] = None, signature: Optional[str] = None,
             msg_signature: Optional[str] = None, timeout: float = 20, timestamp: Optional[int] = None,
             nonce: Optional[str] = None) -> requests.Response:
        """Deliver a message as WeChat does; `xml` is str (a message) or bytes (sent as they are, in plaintext
        mode). The query string sent is kept in `last_params`."""
        params = self.signed_params(signature, timestamp, nonce)
        params["openid"] = "ignored-by-the-channel"
        self.last_params = params
        if self.safe if safe is None else safe:
            encrypted = self.encrypt(xml)
            params["encrypt_type"] = "aes"
            params["msg_signature"] = msg_signature if msg_signature is not None else sha1_signature(
                self.token, params["timestamp"], params["nonce"], encrypted
            )
            to_account = _cdata("gh_qianjin0001")
            xml = f"<xml><ToUserName>{to_account}</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
        body = xml if isinstance(xml, bytes) else xml.encode("utf-8")
        return requests.post(self.webhook_url, params=params, data=body, timeout=timeout,
                             headers={"Content-Type": "text/xml"})

    def reply(self, response: requests.Response) -> Optional[Dict[str, str]]:
        """The passive reply's fields (decrypted and checked in safe mode), or None for "success"."""
        assert response.status_code == 200, (response.status_code, response.text)
        if response.text in ("success", ""):
            return None
        root = ElementTree.fromstring(response.content)
        encrypted = root.findtext("Encrypt")
        if encrypted is not None:
            expected = sha1_signature(self.token, root.findtext("TimeStamp"), root.findtext("Nonce"), encrypted)
            assert root.findtext("MsgSignature") == expected, "bad MsgSignature on the encrypted reply"
            root = ElementTree.fromstring(self.decrypt(encrypted))
        return {child.tag: child.text or "" for child in root}

    def reply_text(self, response: requests.Response) -> Optional[str]:
        fields = self.reply(response)
        if fields is None:
            return None
        assert fields["MsgType"] == "text", fields
        return fields["Content"]
