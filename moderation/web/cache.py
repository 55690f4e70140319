"""The cache every web worker shares: Redis when REDIS_URL is set, the database otherwise.

Nothing that matters may live in one worker's memory (DESIGN.md §2): a value worked out by one
worker is read by all of them, and forgotten by all of them at once.

- `remember(namespace, key, max_age, compute)`: the value kept for `key`, or `compute()` worked
  out now and kept for `max_age` seconds. Values are JSON (never pickles: whoever can write to
  the cache must not be able to run code in the app).
- `forget(namespace)`: every value kept in `namespace` is forgotten, in every worker. Entries
  are keyed by their namespace's generation, and forgetting gives the namespace a new one, so
  nothing has to be found and deleted; old entries simply expire.

Forgetting is safe against a worker that counted before a change and keeps its value after it:
that worker read the old generation before it counted, so it keeps its value under the old
generation, which nobody reads any more. In the database the new generation is written in the
transaction that makes the change, so it takes effect exactly when the change does. Redis is
not in that transaction: the generation changes at once, and again once the transaction
commits, so no value counted in between survives.

Low in the package layers (web), so that a package below the one that keeps values (the meeting,
below the outcomes) can say "forget the figures" without importing it.

A Redis that does not answer costs the cache, never the page: it is logged, and values are
worked out each time until Redis is back.
"""

import hashlib
import json
import logging
import uuid
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from moderation.extensions import db
from moderation.models.reports import CacheEntry
from moderation.models.types import utcnow

log = logging.getLogger(__name__)
# The namespaces, named here so that a package below the one that keeps the values can forget
# them: the outcome figures (outcomes/figures.py) are forgotten when the panel records a
# decision (the meeting's decisions service).
FIGURES = "figures"
# Generations to change again once the session's transaction commits (Redis only).
AFTER_COMMIT = "cache_generations_after_commit"
REDIS_TIMEOUT_SECONDS = 2


def remember(namespace, key, max_age, compute):
    """The value kept for `key` in `namespace`, else `compute()`, kept for `max_age` seconds
    (0: nothing is kept). The generation is read before computing, so a value counted while
    the namespace is being forgotten is kept where nobody reads it."""
    if max_age <= 0:
        return compute()
    store = _store()
    generation = store.generation(_generation_key(namespace))
    if generation is None:  # the store is not answering: work it out, keep nothing
        return compute()
    entry = _entry_key(namespace, generation, key)
    found = _decode(store.get(entry))
    if found is not None:
        return found["value"]
    value = compute()
    store.set(entry, _encode(value, max_age), max_age)
    return value


def get(namespace, key):
    """The value kept for `key` in `namespace`, or None."""
    store = _store()
    generation = store.generation(_generation_key(namespace))
    if generation is None:
        return None
    found = _decode(store.get(_entry_key(namespace, generation, key)))
    return found["value"] if found is not None else None


def set(namespace, key, value, max_age):
    """Keep `value` for `key` in `namespace` for `max_age` seconds. Prefer `remember`, which
    reads the generation before the value is worked out."""
    if max_age <= 0:
        return
    store = _store()
    generation = store.generation(_generation_key(namespace))
    if generation is not None:
        store.set(_entry_key(namespace, generation, key), _encode(value, max_age), max_age)


def forget(namespace):
    """Forget everything kept in `namespace`, in every worker, once the change that calls for
    it is committed (see the module's docstring)."""
    store = _store()
    generation_key = _generation_key(namespace)
    store.new_generation(generation_key)
    if store.outside_the_transaction:
        db.session.info.setdefault(AFTER_COMMIT, {})[generation_key] = store


def _store():
    store = current_app.extensions.get("shared_cache")
    if store is None:
        url = current_app.config.get("CACHE_REDIS_URL")
        store = RedisStore(url) if url else DatabaseStore()
        current_app.extensions["shared_cache"] = store
    return store


def _prefix():
    return current_app.config.get("CACHE_KEY_PREFIX", "moderation:")


def _generation_key(namespace):
    return f"{_prefix()}{namespace}:generation"


def _entry_key(namespace, generation, key):
    # Hashed: a caller's key may be long, and holds nothing anyone needs to read back.
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
    return f"{_prefix()}{namespace}:{generation}:{digest}"


def _encode(value, max_age):
    # The expiry goes with the value, read by the app's clock: Redis's own expiry (a little
    # later) only clears it away.
    until = (utcnow() + timedelta(seconds=max_age)).timestamp()
    return json.dumps({"until": until, "value": value}, separators=(",", ":"))


def _decode(text):
    if text is None:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("until", 0) <= utcnow().timestamp():
        return None
    return found


class DatabaseStore:
    """The cache_entry table, read and written in the session's own transaction."""

    outside_the_transaction = False

    def generation(self, key):
        return db.session.scalar(select(CacheEntry.value).where(CacheEntry.key == key)) or "0"

    def get(self, key):
        return db.session.scalar(select(CacheEntry.value).where(
            CacheEntry.key == key, CacheEntry.expires_at > utcnow()))

    def set(self, key, text, max_age):
        now = utcnow()
        db.session.execute(delete(CacheEntry).where(CacheEntry.expires_at <= now)
                           .execution_options(synchronize_session=False))
        _upsert(key, text, now + timedelta(seconds=max_age))

    def new_generation(self, key):
        _upsert(key, uuid.uuid4().hex, None)


def _upsert(key, value, expires_at):
    values = {"key": key, "value": value, "expires_at": expires_at}
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(
        db.engine.dialect.name)
    if insert is None:
        db.session.merge(CacheEntry(**values))
        return
    statement = insert(CacheEntry).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[CacheEntry.key],
        set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at}))


class RedisStore:
    """Redis (REDIS_URL): shared by every worker on every host."""

    outside_the_transaction = True

    def __init__(self, url):
        self.client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                           socket_timeout=REDIS_TIMEOUT_SECONDS)

    def generation(self, key):
        try:
            found = self.client.get(key)
        except redis.RedisError:
            log.warning("The shared cache (Redis) is not answering: values are worked out "
                        "each time", exc_info=True)
            return None
        return found.decode() if found else "0"

    def get(self, key):
        try:
            return self.client.get(key)
        except redis.RedisError:
            log.warning("The shared cache (Redis) could not be read", exc_info=True)
            return None

    def set(self, key, text, max_age):
        try:
            self.client.set(key, text, ex=max_age + 60)
        except redis.RedisError:
            log.warning("The shared cache (Redis) could not keep a value", exc_info=True)

    def new_generation(self, key):
        try:
            self.client.set(key, uuid.uuid4().hex)
        except redis.RedisError:
            # The change itself stands; values kept before it last until they expire.
            log.error("The shared cache (Redis) could not forget %s: its values stay until "
                      "they expire", key, exc_info=True)


@event.listens_for(Session, "after_commit")
def _new_generations_after_commit(session):
    for key, store in session.info.pop(AFTER_COMMIT, {}).items():
        store.new_generation(key)


@event.listens_for(Session, "after_rollback")
def _nothing_to_forget_after_rollback(session):
    session.info.pop(AFTER_COMMIT, None)
