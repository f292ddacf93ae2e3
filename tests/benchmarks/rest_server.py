"""A stand-in for the bot's REST channel on a free loopback port: it records every turn and answers as told."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Tuple

# (sender, message) -> (HTTP status, JSON body)
Answer = Callable[[str, str], Tuple[int, object]]


class RestServer:
    def __init__(self, answer: Answer, delay: float = 0.0) -> None:
        self.turns: List[Tuple[str, str]] = []
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    server.turns.append((body["sender"], body["message"]))
                time.sleep(delay)
                status, reply = answer(body["sender"], body["message"])
                data = json.dumps(reply, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/webhooks/rest/webhook"

    def __enter__(self) -> "RestServer":
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._http.shutdown()
        self._http.server_close()
