"""Photo fixtures: the governance tests' fresh queue database (SQLite and PostgreSQL) and a photo store on it."""
import pytest

from bot.photos.store import PhotoStore
from tests.governance.conftest import database_url, queue  # noqa: F401 (fixtures used here)


@pytest.fixture
def photos(queue, tmp_path) -> PhotoStore:  # noqa: F811 (the imported fixture)
    directory = tmp_path / "photos"
    directory.mkdir()
    return PhotoStore(queue, directory)
