import pytest


@pytest.fixture(autouse=True)
def _empty_feed_cache():
    """Feed bodies are cached per process by ETag; tests reuse ids and a frozen clock, so start empty."""
    from groupadmin.meetings import views

    views._BODY_CACHE.clear()
    yield
    views._BODY_CACHE.clear()
