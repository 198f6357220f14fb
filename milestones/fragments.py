"""Page fragments rendered by templates from a selector's data, cached per version of the data.

A department page over every unit (the dashboard) is rendered once per version of the data and
kept in each process's memory (the "dashboard" cache, settings.CACHES): an unchanged page then
costs one query for the version and a cache read, whatever the number of units.

The key holds the data version, and everything else the fragments depend on (the caller's parts:
the indicator, today's date in Bangkok — lists that move at midnight without any event —, the
active language — the labels are translated —, every filter and the page).

Why an entry never holds data older than its key:
- every state change writes an AuditEvent (milestones/services/audit.py), or in the admin a
  LogEntry, in the transaction that makes the change, so the change and the new version become
  visible together (tests/test_data_version.py checks every service);
- the caller reads the version first (selectors.versions.data_version), before anything the
  fragments show. Under READ COMMITTED each later statement sees at least what that one saw
  (SQLite runs one writer at a time), so the entry is built from data at least as new as its
  key. A change committed meanwhile may be in it as well: the entry is then newer than its key,
  and the next request, reading the new version, builds again.

What is cached must be the same for every user who may see the page: nothing in the fragments
may depend on the user. The cache is local to each process (docs/deploy.md): processes agree
because each reads the version from the database.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.cache import caches
from django.utils import translation
from django.utils.safestring import SafeString

CACHE_ALIAS = "dashboard"


@dataclass
class Fragments:
    """Rendered fragments by name; data is the selector's result when this request built them
    (None when they came from the cache), for tests and debugging."""

    html: dict[str, SafeString] = field(default_factory=dict)
    data: dict | None = None

    def __getattr__(self, name: str) -> SafeString:
        try:
            return self.__dict__["html"][name]
        except KeyError:
            raise AttributeError(name) from None


def cached_fragments(
    name: str,
    *,
    version: Sequence,
    parts: Sequence,
    build: Callable[[], dict],
    render: Callable[[dict], dict[str, str]],
) -> Fragments:
    """The fragments `render` makes from `build()`'s data, from the cache when the version and parts
    are unchanged. Parts must be JSON-serialisable; the active language is added to them."""
    key_parts = [name, *version, *parts, translation.get_language()]
    key = f"{name}:" + hashlib.sha256(json.dumps(key_parts, default=str).encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    cached = cache.get(key)
    if cached is not None:
        return Fragments(cached)
    data = build()
    html = {part: SafeString(text) for part, text in render(data).items()}
    cache.set(key, html)
    return Fragments(html, data)
