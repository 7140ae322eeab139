"""Where ACF values live and what reading and writing them costs: one query for all values of any
number of objects, one upsert per write (concurrent writers never duplicate a key), and tenants that
never see each other's field groups or values."""

import threading
import time

import pytest

from wpcompat.acf import values
from wpcompat.acf.importer import import_groups
from wpcompat.db import bind, tenant_scope
from wpcompat.models import AcfField, AcfFieldGroup, CustomField, Post
from wpcompat.wp_ids import next_wp_id

from acf.support import caller, export, make_acf_site

FULL = {"evidence_level": "1a", "peer_reviewed": True, "citations_count": 15, "author_crm": "CRM/SP 123456",
        "review_date": "20250131", "summary": "S", "risk_score": 2, "specialties": ["oncology"],
        "references": [{"citation": f"Ref {n}", "year": 2000 + n} for n in range(5)],
        "case_study": {"patient_age": 30, "presentation": "P", "outcome": "improved"}}


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "store")


@pytest.fixture
def api(client, site):
    return caller(client, site)


@pytest.fixture
def statements(engine, monkeypatch):
    """Every SQL statement the app runs from now on."""
    from wpcompat.db import db

    seen = []
    target = db.obj
    original = target.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(target, "execute_sql", counting)
    return seen


def value_queries(seen):
    return [sql for sql in seen if sql.lstrip().upper().startswith("SELECT") and '"custom_fields"' in sql]


def test_reading_every_field_of_a_post_is_one_query(api, site, statements):
    post = site.posts["article"]
    assert api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": FULL}).status_code == 200
    for path, params in ((f"/wp/v2/posts/{post.wp_id}", {}), (f"/wp/v2/posts/{post.wp_id}", {"acf_format": "standard"}),
                         (f"/acf/v3/posts/{post.wp_id}", {})):
        statements.clear()
        result = api("GET", path, "doctor", params=params)
        assert len(result.json["acf"]["references"]) == 5
        assert len(value_queries(statements)) == 1, path


def test_a_list_costs_the_same_number_of_queries_whatever_per_page(api, site, statements):
    """The posts list stays at a fixed number of queries with `acf`: definitions once, values once."""
    with tenant_scope(site.id):
        for n in range(12):
            Post.create(title=f"Extra {n}", slug=f"extra-{n}", status="publish", author=site.users["author"].id,
                        wp_id=next_wp_id("post"), compliance_level="public")
    for item in api("GET", "/wp/v2/posts", params={"per_page": 100}).json:
        api("POST", f"/wp/v2/posts/{item['id']}", "doctor", json={"acf": FULL})
    counts = {}
    api("GET", "/wp/v2/posts", params={"per_page": 1})        # field groups now known to the worker (0011)
    for per_page in (2, 10):
        statements.clear()
        result = api("GET", "/wp/v2/posts", params={"per_page": per_page, "acf_format": "standard"})
        assert len(result.json) == per_page and all(item["acf"]["references"] for item in result.json)
        assert len(value_queries(statements)) == 1
        counts[per_page] = len(statements)
    assert counts[2] == counts[10]
    plugin = {}
    for per_page in (2, 10):
        statements.clear()
        assert len(api("GET", "/acf/v3/posts", params={"per_page": per_page}).json) == per_page
        plugin[per_page] = len(statements)
    assert plugin[2] == plugin[10]


def test_a_write_is_one_upsert_and_keeps_one_row_per_key(api, site, statements):
    post = site.posts["article"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": FULL})
    statements.clear()
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {**FULL, "citations_count": 16}})
    writes = [sql for sql in statements if '"custom_fields"' in sql and sql.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0].upper()
    with tenant_scope(site.id):
        keys = [row.meta_key for row in CustomField.select().where(CustomField.post == post.id)]
    assert len(keys) == len(set(keys)) and "citations_count" in keys


def test_concurrent_writers_of_one_key_leave_one_row(postgres_engine):
    """Two connections upsert the same (post, meta_key) at once on PostgreSQL: the second waits, then updates."""
    bind(postgres_engine.database)
    site = make_acf_site(postgres_engine, "race", load=False)
    post = site.posts["article"]
    first_written, errors, timings = threading.Event(), [], {}
    row = {"meta_value": None, "meta_type": "number", "field_group": "group_x", "field_order": 0, "is_phi": False,
           "medical_significance": "none", "requires_validation": False, "validation_rules": None,
           "is_required": False}

    def writer(name, value, hold):
        try:
            with tenant_scope(site.id, postgres_engine.database):
                if hold:
                    values.upsert("post", post.id, {"citations_count": {**row, "meta_value": value}})
                    first_written.set()
                    time.sleep(0.4)                       # keep the row locked while the other one writes
                else:
                    first_written.wait(5)
                    started = time.monotonic()
                    values.upsert("post", post.id, {"citations_count": {**row, "meta_value": value}})
                    timings[name] = time.monotonic() - started
        except Exception as error:                       # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=("a", "1", True)),
               threading.Thread(target=writer, args=("b", "2", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert timings["b"] >= 0.2                              # b really ran into a's uncommitted row
    with tenant_scope(site.id, postgres_engine.database):
        rows = list(CustomField.select().where(CustomField.post == post.id, CustomField.meta_key == "citations_count"))
    assert [row.meta_value for row in rows] == ["2"]


def test_field_groups_and_values_are_per_tenant(engine, client, api, site):
    other = make_acf_site(engine, "other", load=False)
    other_api = caller(client, other)
    post = site.posts["article"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {"citations_count": 15, "case_study": {
        "presentation": "A's patient"}}})
    # A tenant without field groups is a site without ACF: no `acf`, nothing in the schema.
    same_id = other_api("GET", f"/wp/v2/posts/{post.wp_id}", "administrator")
    assert same_id.status_code == 200 and "acf" not in same_id.json
    assert "acf" not in other_api("OPTIONS", "/wp/v2/posts").json["schema"]["properties"]
    assert other_api("GET", f"/acf/v3/posts/{post.wp_id}", "administrator").json == {"acf": []}
    assert other_api("GET", "/acf/v3/field-groups", "administrator").json == []
    # The other tenant may define a group of the same keys; each tenant keeps its own.
    groups = export()[:1]
    groups[0]["fields"] = groups[0]["fields"][:2]
    groups[0]["title"] = "Other clinic's evidence"
    with tenant_scope(other.id):
        assert import_groups(groups) == (1, 0)
        assert AcfField.select().count() == 2
    assert other_api("GET", f"/wp/v2/posts/{post.wp_id}", "administrator").json["acf"] == {
        "evidence_level": None, "peer_reviewed": False}
    assert [group["title"] for group in other_api("GET", "/acf/v3/field-groups", "administrator").json] == [
        "Other clinic's evidence"]
    mine = api("GET", f"/wp/v2/posts/{post.wp_id}", "doctor").json["acf"]
    assert mine["citations_count"] == 15 and mine["case_study"]["presentation"] == "A's patient"
    with tenant_scope(other.id):
        assert CustomField.select().where(CustomField.meta_key == "case_study_presentation").count() == 0
        assert AcfFieldGroup.select().where(AcfFieldGroup.title == "Clinical evidence").count() == 0
    # Another tenant's object id in a relational field does not exist here.
    bad = other_api("POST", f"/acf/v3/posts/{post.wp_id}", "administrator",
                    json={"fields": {"evidence_level": "1a"}})
    assert bad.status_code == 200 and bad.json == {"acf": {"evidence_level": "1a", "peer_reviewed": False}}
    assert api("GET", f"/wp/v2/posts/{post.wp_id}", "doctor").json["acf"]["evidence_level"] is None
