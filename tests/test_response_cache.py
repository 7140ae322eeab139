"""The anonymous-answer cache (wpcompat/response_cache.py): fresh after any write, audited on every hit,
never holding what a logged-in user sees, never crossing tenants or hosts."""

import time

from falcon import testing

from wpcompat.app import create_app
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Post, Term
from wpcompat.response_cache import ENTRY_OVERHEAD, Entry, Store
from wpcompat.rest import http
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth


def get_posts(client, site, **headers):
    return client.simulate_get("/wp-json/wp/v2/posts", host=site.host, headers=headers or None)


def titles(result):
    return [post["title"]["rendered"] for post in result.json]


def admin(site):
    return {"Authorization": basic_auth(site.admin.login, site.admin_password)}


def replayed(rows):
    return [row for row in rows if row.metadata.get("served_from") == "cache"]


def test_a_repeated_anonymous_read_is_replayed_and_audited_each_time(client, site_a, audit_rows):
    first = get_posts(client, site_a)
    second = get_posts(client, site_a)
    third = get_posts(client, site_a)
    assert second.status_code == third.status_code == 200
    assert second.json == third.json == first.json
    for name in ("x-wp-total", "x-wp-totalpages", "allow", "link", "content-type"):
        assert second.headers[name] == first.headers[name]
    ids = [result.headers["x-request-id"] for result in (first, second, third)]
    assert len(set(ids)) == 3
    rows = {request_id: [row for row in audit_rows(site_a) if row.metadata["request_id"] == request_id]
            for request_id in ids}
    assert [len(rows[request_id]) for request_id in ids] == [1, 1, 1]
    assert [len(replayed(rows[request_id])) for request_id in ids] == [0, 1, 1]
    assert all(row.operation == "read" and row.policy_decision == "allow" and row.metadata["status"] == 200
               and row.metadata["route"] == "/wp/v2/posts" and row.metadata["event"] == rows[ids[0]][0].metadata["event"]
               for request_id in ids for row in rows[request_id])


def test_a_rest_write_shows_at_once(client, site_a):
    get_posts(client, site_a)
    created = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=admin(site_a),
                                   json={"title": "Nova diretriz", "status": "publish"})
    assert created.status_code == 201
    assert "Nova diretriz" in titles(get_posts(client, site_a))
    client.simulate_delete(f"/wp-json/wp/v2/posts/{created.json['id']}", host=site_a.host, headers=admin(site_a),
                           params={"force": "true"})
    assert "Nova diretriz" not in titles(get_posts(client, site_a))


def test_a_write_straight_to_the_database_shows_at_once(client, site_a):
    """The healthcare CMS writes its tables itself: the database counts the change, not wpcompat."""
    assert titles(get_posts(client, site_a)) == ["Secret of a"]
    with tenant_scope(site_a.id):
        Post.update(title="Renamed by the CMS").where(Post.id == site_a.post.id).execute()
    assert titles(get_posts(client, site_a)) == ["Renamed by the CMS"]
    single = f"/wp-json/wp/v2/categories/{site_a.term.wp_id}"
    assert client.simulate_get(single, host=site_a.host).json["name"] == "Cardiology a"
    with tenant_scope(site_a.id):
        Term.update(name="Cardiologia").where(Term.id == site_a.term.id).execute()
    assert client.simulate_get(single, host=site_a.host).json["name"] == "Cardiologia"


def test_a_change_the_database_does_not_count_is_not_seen_until_max_age(engine, app_database, site_a):
    """What proves answers really are replayed: with the counter kept still, the old answer comes back."""
    client = testing.TestClient(create_app(engine.settings(response_cache_seconds=1), app_database))
    bind(engine.database)
    assert titles(get_posts(client, site_a)) == ["Secret of a"]
    update = ("UPDATE posts SET title = 'Uncounted' WHERE id = {p}".format(p=engine.database.param),
              (str(site_a.post.id),))
    if engine.name == "postgres":
        with engine.database.atomic():
            engine.database.execute_sql("SET LOCAL session_replication_role = replica")   # no triggers
            engine.database.execute_sql(*update)
    else:
        trigger = engine.database.execute_sql("SELECT sql FROM sqlite_master WHERE name = "
                                              "'posts_generation_update'").fetchone()[0]
        with engine.database.atomic():
            engine.database.execute_sql("DROP TRIGGER posts_generation_update")
            engine.database.execute_sql(*update)
            engine.database.execute_sql(trigger)
    assert titles(get_posts(client, site_a)) == ["Secret of a"]
    time.sleep(1.2)
    assert titles(get_posts(client, site_a)) == ["Uncounted"]


def test_logged_in_answers_are_never_kept_or_shown_to_anyone(client, site_a, audit_rows):
    draft = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=admin(site_a),
                                 json={"title": "Rascunho interno", "status": "draft"})
    assert draft.status_code == 201
    params = {"status": "draft,publish"}
    for _ in range(2):
        seen = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, headers=admin(site_a), params=params)
        assert "Rascunho interno" in titles(seen)
    anonymous = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params=params)
    assert anonymous.status_code == 400 and anonymous.json["code"] == "rest_invalid_param"
    assert "Rascunho interno" not in titles(get_posts(client, site_a))
    assert not replayed(audit_rows(site_a, user_id=site_a.admin.id))


def test_each_tenant_and_host_gets_its_own_answer(client, site_a, site_b):
    a, b = get_posts(client, site_a), get_posts(client, site_b)
    assert titles(a) == ["Secret of a"] and titles(b) == ["Secret of b"]
    assert titles(get_posts(client, site_a)) == ["Secret of a"]
    assert titles(get_posts(client, site_b)) == ["Secret of b"]
    # tenant B writing does not disturb A, and A's cached answer never reaches B's host
    with tenant_scope(site_b.id):
        Post.create(title="Only in B", slug="only-in-b", status="publish", author=site_b.author.id,
                    wp_id=next_wp_id("post"))
    assert titles(get_posts(client, site_b)) == ["Only in B", "Secret of b"]
    assert titles(get_posts(client, site_a)) == ["Secret of a"]
    other_scheme = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, protocol="https")
    assert other_scheme.json[0]["link"].startswith(f"https://{site_a.host}/")
    assert get_posts(client, site_a).json[0]["link"].startswith(f"http://{site_a.host}/")


def test_errors_and_protected_posts_are_not_replayed(client, site_a, audit_rows):
    missing = "/wp-json/wp/v2/posts/999999"
    for _ in range(2):
        assert client.simulate_get(missing, host=site_a.host).status_code == 404
    protected = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=admin(site_a),
                                     json={"title": "Protegido", "status": "publish", "password": "s3nha",
                                           "content": "Conteúdo reservado"})
    path = f"/wp-json/wp/v2/posts/{protected.json['id']}"
    for _ in range(2):
        opened = client.simulate_get(path, host=site_a.host, params={"password": "s3nha"})
        assert opened.json["content"]["rendered"].startswith("<p>Conteúdo reservado")
    assert client.simulate_get(path, host=site_a.host).json["content"]["rendered"] == ""
    assert not replayed(audit_rows(site_a))


def test_a_site_settings_change_shows(client, site_a):
    assert client.simulate_get("/wp-json/", host=site_a.host).json["name"] == "Site a"
    changed = client.simulate_post("/wp-json/wp/v2/settings", host=site_a.host, headers=admin(site_a),
                                   json={"title": "Clínica Renomeada"})
    assert changed.status_code == 200
    assert client.simulate_get("/wp-json/", host=site_a.host).json["name"] == "Clínica Renomeada"


def test_head_and_jsonp_answers_are_kept_apart(client, site_a):
    get_posts(client, site_a)
    head = client.simulate_head("/wp-json/wp/v2/posts", host=site_a.host)
    assert head.status_code == 200 and head.content == b"" and head.headers["x-wp-total"] == "1"
    jsonp = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params={"_jsonp": "show"})
    again = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params={"_jsonp": "show"})
    assert jsonp.text.startswith("/**/show(") and again.text == jsonp.text
    assert again.headers["content-type"].startswith("application/javascript")
    assert get_posts(client, site_a).headers["content-type"] == "application/json; charset=UTF-8"


def test_the_cache_can_be_turned_off(engine, app_database, site_a, audit_rows):
    client = testing.TestClient(create_app(engine.settings(response_cache_mb=0), app_database))
    bind(engine.database)
    for _ in range(3):
        assert titles(get_posts(client, site_a)) == ["Secret of a"]
    assert not replayed(audit_rows(site_a))


def test_a_hit_records_the_same_events_as_the_answer_it_replays(client, site_a, audit_rows):
    results = [client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params={"_embed": "1"})
               for _ in range(2)]
    assert results[0].json == results[1].json and results[0].json[0]["_embedded"]["author"]
    rows = [[row for row in audit_rows(site_a) if row.metadata["request_id"] == result.headers["x-request-id"]]
            for result in results]

    def events(request_rows):
        return sorted((row.operation, row.resource_type, str(row.resource_id), row.metadata["event"])
                      for row in request_rows)

    assert len(rows[0]) > 1 and events(rows[0]) == events(rows[1])
    assert not replayed(rows[0]) and len(replayed(rows[1])) == len(rows[1])


def test_a_get_with_a_body_neither_poisons_nor_reads_the_cache(client, site_a):
    """WordPress merges a JSON body into a GET's parameters: such a request must not answer for the bare URL."""
    with tenant_scope(site_a.id):
        Post.create(title="Second", slug="second", status="publish", author=site_a.author.id,
                    wp_id=next_wp_id("post"))
    bare = get_posts(client, site_a)
    assert len(bare.json) == 2
    for _ in range(2):
        narrowed = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, json={"per_page": 1})
        assert len(narrowed.json) == 1 and narrowed.headers["x-wp-totalpages"] == "2"
    assert get_posts(client, site_a).json == bare.json


def test_a_password_smuggled_with_a_nul_is_still_a_password(client, site_a, audit_rows):
    """The route drops NULs from parameter names (`pass%00word` is `password`): so does the cache's check."""
    protected = client.simulate_post("/wp-json/wp/v2/posts", host=site_a.host, headers=admin(site_a),
                                     json={"title": "Protegido", "status": "publish", "password": "s3nha",
                                           "content": "Reservado"})
    path = f"/wp-json/wp/v2/posts/{protected.json['id']}"
    for _ in range(2):
        opened = client.simulate_get(path, host=site_a.host, query_string="pass%00word=s3nha")
        assert opened.json["content"]["rendered"].startswith("<p>Reservado")
    assert not replayed(audit_rows(site_a))


def test_a_failure_after_a_stale_entry_is_audited_as_the_failure_it_is(client, site_a, audit_rows, monkeypatch):
    get_posts(client, site_a)
    with tenant_scope(site_a.id):
        Post.update(title="Renamed").where(Post.id == site_a.post.id).execute()

    def broken(self, req, resp, **_):
        raise RuntimeError("a bug in the route")

    monkeypatch.setattr(http.RestSink, "__call__", broken)
    failed = get_posts(client, site_a)
    assert failed.status_code == 500
    rows = [row for row in audit_rows(site_a) if row.metadata["request_id"] == failed.headers["x-request-id"]]
    assert [(row.metadata["status"], row.policy_decision) for row in rows] == [(500, "deny")]
    assert not replayed(rows)


def test_the_cors_headers_of_the_first_callers_origin_are_never_replayed_to_others(client, site_a, door):
    first = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, headers={"Origin": "https://evil.test"})
    assert first.headers["access-control-allow-origin"] == "https://evil.test"
    second = get_posts(client, site_a)
    assert door[-1] is True                                   # replayed at the door
    assert not [name for name in second.headers if name.startswith("access-control-allow-o")
                or name in ("access-control-allow-methods", "access-control-allow-credentials")]
    assert second.headers["access-control-expose-headers"] == "X-WP-Total, X-WP-TotalPages, Link"
    assert second.headers["vary"] == "Origin" and second.content == first.content


def test_the_store_counts_everything_an_entry_holds_and_caps_the_count():
    store = Store(max_bytes=1_000_000, max_age=60, max_entries=50)
    for number in range(200):
        key = ("tenant", "http", "host", "GET", "/wp-json/wp/v2/posts", f"search={'x' * 1000}{number}")
        store.put(key, Entry(None, 1, "200 OK", [("link", "<…>" * 50)], "application/json", b"[]", [], "post:get",
                             "/wp/v2/posts", time.monotonic()))
    assert len(store) == 50                                   # the count cap
    assert store.size >= 50 * (1000 + 2 + ENTRY_OVERHEAD)      # keys and overhead counted, not only b"[]"
    small = Store(max_bytes=64 * 1024, max_age=60)
    for number in range(1000):
        small.put(("k", number), Entry(None, 1, "200 OK", [], "application/json", b"[]", [], "t", None,
                                       time.monotonic()))
    assert small.size <= 64 * 1024 and len(small) < 64


def test_a_hit_is_answered_before_the_app_with_the_headers_the_app_sent(client, site_a, audit_rows, door):
    answered = door
    first = get_posts(client, site_a)
    second = get_posts(client, site_a)
    assert answered == [False, True]

    def without_id(result):
        return {name: value for name, value in result.headers.items() if name != "x-request-id"}

    assert without_id(second) == without_id(first) and second.content == first.content
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    rows = [row for row in audit_rows(site_a) if row.metadata["request_id"] == second.headers["x-request-id"]]
    assert len(replayed(rows)) == 1 and rows[0].metadata["ip"] and rows[0].metadata["route"] == "/wp/v2/posts"
    cors = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, headers={"Origin": "https://front.test"})
    assert answered[-1] is False and cors.headers["access-control-allow-origin"] == "https://front.test"
    assert cors.content == first.content                     # replayed by the chain, with its own CORS headers
    head = client.simulate_head("/wp-json/wp/v2/posts", host=site_a.host)
    head_again = client.simulate_head("/wp-json/wp/v2/posts", host=site_a.host)
    assert answered[-2:] == [False, True] and head_again.content == b""
    assert without_id(head_again) == without_id(head)


def test_only_headers_gunicorn_would_send_unchanged_are_kept_as_prepared_bytes():
    """KeepAliveWorker writes a hit's prepared header bytes itself; headers gunicorn would refuse or
    rewrite (process_headers) must keep going through it, or every hit would send them unchecked."""
    from wpcompat.response_cache import _raw_head

    assert _raw_head([("x-wp-total", "20"), ("link", '<http://a.test/wp-json/>; rel="https://api.w.org/"')]) == (
        b'x-wp-total: 20\r\nlink: <http://a.test/wp-json/>; rel="https://api.w.org/"\r\n')
    for refused in [("link", "<http://a.test\x0b/wp-json/>"), ("x-bad name", "1"), ("x-wp-total", "20 "),
                    ("connection", "keep-alive"), ("x-note", "caf\u00e9 \u2615"), ("x-split", "a\r\nset-cookie: b")]:
        assert _raw_head([("x-wp-total", "20"), refused]) is None, refused
