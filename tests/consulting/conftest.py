"""The report actions' fixtures (the real domain, a fresh queue) serve the consultation and rating actions too."""
from tests.reporting.conftest import domain, queue, queue_url  # noqa: F401
