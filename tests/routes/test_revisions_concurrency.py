"""Two editors saving one post at the same time: the later save wins and both states are kept as revisions.

On PostgreSQL the post's row is held locked by a third connection until both requests have read the
post and are waiting to write it, so the two updates really overlap (each read the same old state);
then the lock is released. On SQLite the two requests run in two threads (SQLite serialises them).
"""

import threading
import time

import psycopg2
import pytest
from falcon import testing

from wpcompat.app import create_app
from wpcompat.db import bind, open_database, tenant_scope
from wpcompat.models import Post, Revision

PUBLIC = "Como medir a pressão arterial em casa"


@pytest.fixture
def api(engine, clinic):
    """The clinic's API over an app of its own, with a pool for several requests at once."""
    database = open_database(engine.url, pool_size=6)
    client = testing.TestClient(create_app(engine.settings(), database))

    def call(method, path, role=None, **kwargs):
        return client.simulate_request(method, f"/wp-json{path}", host=clinic.host, headers=clinic.auth(role),
                                       **kwargs)

    yield call
    if hasattr(database, "close_all"):
        database.close_all()
    bind(engine.database)


def waiting_on_locks(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_two_concurrent_saves_lose_nothing_silently(api, clinic, engine):
    post = clinic.post(PUBLIC)
    bodies = {"editor": {"title": "Versão do editor", "content": "<p>Editor</p>"},
              "administrator": {"title": "Versão da administradora", "content": "<p>Admin</p>"}}
    results = {}

    def save(role):
        results[role] = api("POST", f"/wp/v2/posts/{post.wp_id}", role, json=bodies[role])

    locker = None
    if engine.postgres:
        locker = psycopg2.connect(engine.url)
        with locker.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", (str(clinic.id),))
            cursor.execute("SELECT id FROM posts WHERE id = %s FOR UPDATE", (str(post.id),))
            assert cursor.fetchone() is not None
    threads = [threading.Thread(target=save, args=(role,), daemon=True) for role in bodies]
    for thread in threads:
        thread.start()
    waiting = None
    if locker is not None:
        try:
            watcher = psycopg2.connect(engine.url)
            watcher.autocommit = True
            deadline = time.monotonic() + 20
            while waiting_on_locks(watcher) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            waiting = waiting_on_locks(watcher)
            watcher.close()
        finally:
            locker.commit()
            locker.close()
    for thread in threads:
        thread.join(30)
    assert waiting in (None, 2)          # both requests had read the post and were waiting to write it

    assert {role: result.status_code for role, result in results.items()} == {"editor": 200, "administrator": 200}
    with tenant_scope(clinic.id):
        saved = Post.get_by_id(post.id)
        revisions = list(Revision.select().where(Revision.post == post.id).order_by(Revision.wp_id))
    assert sorted(revision.title for revision in revisions) == sorted(body["title"] for body in bodies.values())
    later = revisions[-1]
    assert (saved.title, saved.content) == (later.title, later.content)         # the later save wins
    assert saved.version == 3
    history = api("GET", f"/wp/v2/posts/{post.wp_id}", "editor").json["_links"]
    assert history["version-history"][0]["count"] == 2
    assert history["predecessor-version"][0]["id"] == later.wp_id
