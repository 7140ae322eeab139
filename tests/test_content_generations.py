"""The per-tenant content generation (migration 0011) on PostgreSQL, as the app role with raw SQL:
moved once by every committed writing transaction, by nothing else, without queueing writers."""

import threading

import psycopg2
import pytest

from wpcompat.db import bind

from conftest import make_site


@pytest.fixture
def site(postgres_engine):
    bind(postgres_engine.database)
    return make_site(postgres_engine, "generation")


@pytest.fixture
def connect(postgres_engine):
    """connect(site): a psycopg2 connection as the app role in that site's tenant (one transaction open)."""
    opened = []

    def open_in(tenant_site):
        connection = psycopg2.connect(postgres_engine.app_url)
        opened.append(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_site.id),))
        connection.commit()
        return connection

    yield open_in
    for connection in opened:
        connection.close()


def generation(connection, site):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE((SELECT generation FROM content_generations WHERE tenant_id = %s), 0)",
                       (str(site.id),))
        value = cursor.fetchone()[0]
    connection.commit()
    return value


def execute(connection, sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_committed_write_moves_the_generation_once_a_rollback_not_at_all(site, connect):
    writer, reader = connect(site), connect(site)
    start = generation(reader, site)
    for title in ("one", "two", "three"):                      # three statements, one transaction
        execute(writer, "UPDATE posts SET title = %s WHERE id = %s", (title, str(site.post.id)))
    execute(writer, "UPDATE categories SET name = 'Cardiologia' WHERE id = %s", (str(site.term.id),))
    assert generation(reader, site) == start                   # not before it commits
    writer.commit()
    assert generation(reader, site) == start + 1
    execute(writer, "UPDATE posts SET title = 'never' WHERE id = %s", (str(site.post.id),))
    writer.rollback()
    assert generation(reader, site) == start + 1
    execute(writer, "SAVEPOINT s")                               # a note rolled back with its savepoint…
    execute(writer, "UPDATE posts SET title = 'undone' WHERE id = %s", (str(site.post.id),))
    execute(writer, "ROLLBACK TO SAVEPOINT s")
    execute(writer, "UPDATE posts SET title = 'kept' WHERE id = %s", (str(site.post.id),))   # …is made again
    writer.commit()
    assert generation(reader, site) == start + 2
    with writer.cursor() as cursor:                            # notes live only until their COMMIT
        cursor.execute("SELECT count(*) FROM content_generation_bumps")
        assert cursor.fetchone()[0] == 0


def test_two_writers_of_one_tenant_do_not_wait_for_each_other_nor_deadlock(site, connect):
    """The counter is locked only while a transaction commits: writers no longer queue from their first
    write on, and the order post_counts → counter vs counter → post_counts can no longer deadlock."""
    first, second, reader = connect(site), connect(site), connect(site)
    start = generation(reader, site)
    execute(second, "SET lock_timeout = '2s'")
    second.commit()
    execute(first, "UPDATE categories SET name = 'Cardiologia' WHERE id = %s", (str(site.term.id),))
    # the second writer changes another table of the same tenant while the first is open: no wait
    execute(second, "UPDATE users SET display_name = 'Dra. Ana' WHERE id = %s", (str(site.author.id),))
    insert = ("INSERT INTO posts (id, title, slug, status, post_type, author_id, tenant_id, inserted_at, "
              "updated_at, wp_id) VALUES (gen_random_uuid(), %s, %s, 'publish', 'post', %s, %s, now(), now(), %s)")
    execute(second, insert, ("Segundo", "segundo", str(site.author.id), str(site.id), 9101))
    failures = []

    def first_inserts():                  # waits for the second's post_counts row, then goes on
        try:
            execute(first, insert, ("Primeiro", "primeiro", str(site.author.id), str(site.id), 9102))
            first.commit()
        except psycopg2.Error as error:
            failures.append(error)

    thread = threading.Thread(target=first_inserts)
    thread.start()
    thread.join(0.5)
    second.commit()
    thread.join(10)
    assert not failures and not thread.is_alive()
    assert generation(reader, site) == start + 2


def test_a_row_moved_to_another_tenant_moves_both_generations(postgres_engine, site, connect):
    other = make_site(postgres_engine, "generation-other")
    reader_a, reader_b = connect(site), connect(other)
    before = generation(reader_a, site), generation(reader_b, other)
    owner = psycopg2.connect(postgres_engine.url)          # a maintenance script, outside RLS
    try:
        with owner.cursor() as cursor:
            cursor.execute("UPDATE posts SET tenant_id = %s, wp_id = 9999 WHERE id = %s",
                           (str(other.id), str(site.post.id)))
        owner.commit()
    finally:
        owner.close()
    assert (generation(reader_a, site), generation(reader_b, other)) == (before[0] + 1, before[1] + 1)
