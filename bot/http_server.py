"""The standard library's threading HTTP server as the project's own small servers use it (the bundled events
backend, the staff console): serve in a background thread for tests and stop cleanly, or in the foreground until
Ctrl-C or SIGTERM, and treat a client that hung up as routine rather than a traceback on stderr."""
import logging
import signal
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Optional

logger = logging.getLogger(__name__)

# How soon `shutdown()` returns: tests start and stop many servers.
SHUTDOWN_POLL_SECONDS = 0.05


class BackgroundHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Names the serving thread ("events-backend-8090").
    thread_name = "http"

    _thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.port}"

    def start(self):
        """Serve in a background thread; stop with `shutdown()`."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
                                        name=f"{self.thread_name}-{self.port}", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            super().shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s hung up before its answer", client_address[0])
            return
        super().handle_error(request, client_address)


def serve_in_foreground(server: ThreadingHTTPServer) -> int:
    """Serve until Ctrl-C or SIGTERM, then free the port; the exit status."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
