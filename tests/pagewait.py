"""Story pages never wait for their details: a page computed in the background says so and reloads itself.

Tests that look at the details fetch the page again until it no longer does (``from pagewait import story_page``);
the API, the Markdown export and the print sheet answer 202 meanwhile (``from pagewait import ready``).
"""

from __future__ import annotations

import time
from typing import Any

PENDING = 'class="pending"'


def story_page(client: Any, url: str, *, tries: int = 1200, **kwargs: Any) -> Any:
    """The response of ``client.get(url)`` once the story's details are in it (or the last try)."""
    r = client.get(url, **kwargs)
    for _ in range(tries):
        if r.status_code != 200 or PENDING not in r.text:
            return r
        time.sleep(0.1)
        r = client.get(url, **kwargs)
    return r


def ready(client: Any, url: str, *, tries: int = 1200, **kwargs: Any) -> Any:
    """The response of ``client.get(url)`` once it is no longer a 202 "details being made" (or the last try)."""
    r = client.get(url, **kwargs)
    for _ in range(tries):
        if r.status_code != 202:
            return r
        time.sleep(0.1)
        r = client.get(url, **kwargs)
    return r
