"""PHI fields: absent (not null) for who may not read PHI — every format, every context, in _embed —
written only by who may, and every read of one audited as `access` (spec/acf.md §5.6, DESIGN.md §6, §8)."""

import pytest

from acf.support import caller, make_acf_site

CASE = {"patient_age": 54, "presentation": "Chest pain", "outcome": "recovered"}
NO_PHI = [None, "subscriber", "author", "editor"]
PHI = ["doctor", "administrator"]


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "phi")


@pytest.fixture
def api(client, site):
    return caller(client, site)


@pytest.fixture
def article(api, site):
    post = site.posts["article"]
    written = api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "evidence_level": "1b", "case_study": CASE, "reviewer": [site.posts["reviewer_page"].wp_id]}})
    assert written.status_code == 200, written.json
    author = api("POST", f"/wp/v2/users/{site.users['author'].wp_id}", "administrator",
                 json={"acf": {"crm_number": "CRM/SP 123456", "clinical_notes": "Sees patient J.S. weekly"}})
    assert author.status_code == 200, author.json
    page = site.posts["reviewer_page"]
    assert api("POST", f"/acf/v3/pages/{page.wp_id}", "doctor",
               json={"fields": {"case_study": {"outcome": "improved"}}}).status_code == 200
    return post


def reads(api, post, login):
    """Every way a client reads the article's acf."""
    path = f"/wp/v2/posts/{post.wp_id}"
    return {
        "view": api("GET", path, login).json["acf"],
        "standard": api("GET", path, login, params={"acf_format": "standard"}).json["acf"],
        "list": next(item["acf"] for item in api("GET", "/wp/v2/posts", login).json if item["id"] == post.wp_id),
        "fields": api("GET", path, login, params={"_fields": "acf"}).json["acf"],
        "plugin": api("GET", f"/acf/v3/posts/{post.wp_id}", login).json["acf"],
        "plugin_list": next(item["acf"] for item in api("GET", "/acf/v3/posts", login).json
                            if item["id"] == post.wp_id),
    }


@pytest.mark.parametrize("login", NO_PHI)
def test_phi_fields_are_absent_for_who_may_not_read_phi(api, article, login):
    for how, acf in reads(api, article, login).items():
        assert "case_study" not in acf, how
        assert acf["evidence_level"] == "1b", how
    single = api("GET", f"/acf/v3/posts/{article.wp_id}/case_study", login)
    assert single.json == {"case_study": None}             # the same answer as an unknown field
    if login == "editor":
        edit = api("GET", f"/wp/v2/posts/{article.wp_id}", login, params={"context": "edit"}).json["acf"]
        assert "case_study" not in edit


@pytest.mark.parametrize("login", PHI)
def test_phi_fields_are_shown_to_who_may_read_phi(api, article, login):
    for how, acf in reads(api, article, login).items():
        assert acf["case_study"]["presentation"] == "Chest pain", how
    single = api("GET", f"/acf/v3/posts/{article.wp_id}/case_study", login)
    assert single.json == {"case_study": {"patient_age": "54", "presentation": "Chest pain", "outcome": "Recovered"}}


def test_phi_is_absent_inside_embedded_objects(api, site, article):
    for login, shown in ((None, False), ("editor", False), ("doctor", True)):
        result = api("GET", f"/wp/v2/posts/{article.wp_id}", login, params={"_embed": "author,acf:post"})
        embedded = result.json["_embedded"]
        author = embedded["author"][0]["acf"]
        assert author["crm_number"] == "CRM/SP 123456"
        assert ("clinical_notes" in author) is shown, login
        page = embedded["acf:post"][0]
        assert page["id"] == site.posts["reviewer_page"].wp_id
        assert ("case_study" in page["acf"]) is shown, login


def test_a_field_group_of_phi_only_reads_as_empty(api, site, article):
    """A user's only group member left without PHI rights still shows its non-PHI field."""
    anonymous = api("GET", f"/wp/v2/users/{site.users['author'].wp_id}").json["acf"]
    assert anonymous == {"crm_number": "CRM/SP 123456"}


def test_writing_phi_needs_phi_rights_and_changes_nothing(api, site, article):
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "editor",
                 json={"title": "Renamed", "acf": {"evidence_level": "5", "case_study": {"outcome": "deceased"}}})
    assert result.status_code == 403
    assert result.json == {"code": "rest_cannot_update",
                           "message": "Sorry, you are not allowed to edit the case_study custom field.",
                           "data": {"status": 403, "key": "case_study"}}
    after = api("GET", f"/wp/v2/posts/{article.wp_id}", "doctor").json
    assert after["title"]["rendered"] != "Renamed"
    assert after["acf"]["evidence_level"] == "1b" and after["acf"]["case_study"]["outcome"] == "recovered"
    plugin = api("POST", f"/acf/v3/posts/{article.wp_id}", "editor", json={"fields": {"case_study": {"outcome": "x"}}})
    assert plugin.status_code == 403 and plugin.json["data"]["key"] == "case_study"


def test_reading_phi_is_audited_as_access_and_writing_it_as_update(api, site, article, audit_rows):
    before = {row.id for row in audit_rows(site, operation="access")}   # the fixture's writes answered with PHI
    api("GET", f"/wp/v2/posts/{article.wp_id}", "editor")
    assert {row.id for row in audit_rows(site, operation="access")} == before
    api("GET", f"/wp/v2/posts/{article.wp_id}", "doctor")
    rows = [row for row in audit_rows(site, operation="access") if row.id not in before]
    assert len(rows) == 1
    row = rows[0]
    assert row.resource_type == "acf" and str(row.resource_id) == str(article.id)
    assert row.metadata["event"] == "acf:phi" and row.metadata["fields"] == ["case_study"]
    assert row.metadata["wp_id"] == article.wp_id and str(row.user_id) == str(site.users["doctor"].id)
    api("GET", f"/acf/v3/posts/{article.wp_id}", "administrator")
    assert len(audit_rows(site, operation="access")) == len(before) + 2
    writes = [row for row in audit_rows(site, operation="update") if row.metadata.get("phi")]
    assert {tuple(row.metadata["fields"]) for row in writes} >= {("case_study",), ("clinical_notes",)}
