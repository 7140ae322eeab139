"""A realistic medical field group (data/medical_field_groups.json: evidence level, references repeater,
reviewer relationship, PHI case-study group…) loaded with `wpcompat acf import-groups` and used over HTTP."""

import os
import pathlib
import subprocess
import sys

import pytest

from acf.support import EXPORT, caller, make_acf_site

ROOT = pathlib.Path(__file__).resolve().parents[2]


def wpcompat(engine, *args):
    env = {name: value for name, value in os.environ.items() if not name.startswith("WPCOMPAT_")}
    env.update({"WPCOMPAT_DATABASE_URL": engine.url, "WPCOMPAT_APP_ROLE": engine.app_role,
                "WPCOMPAT_LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([sys.executable, "-m", "wpcompat.cli", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=60)


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "e2e", load=False)


def test_import_the_export_with_the_cli_and_use_it_over_http(engine, client, site, tmp_path, audit_rows):
    api = caller(client, site)
    slug = site.tenant.slug
    assert "acf" not in api("GET", f"/wp/v2/posts/{site.posts['article'].wp_id}").json    # no ACF yet

    done = wpcompat(engine, "acf", "import-groups", str(EXPORT), "--tenant", slug)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"imported 5 field group(s) into {slug} (5 new, 0 replaced)\n"
    again = wpcompat(engine, "acf", "import-groups", str(EXPORT), "--tenant", slug)
    assert again.stdout == f"imported 5 field group(s) into {slug} (0 new, 5 replaced)\n"

    schema = api("OPTIONS", "/wp/v2/posts").json["schema"]["properties"]["acf"]
    assert schema["description"] == "ACF field data" and "clinical_tab" not in schema["properties"]
    assert schema["properties"]["evidence_level"]["items"]["enum"] == ["1a", "1b", "2a", "2b", "3", "4", "5"]
    assert schema["properties"]["references"]["items"]["properties"]["citation"]["required"] is True

    reviewer = site.posts["reviewer_page"]
    created = api("POST", "/wp/v2/posts", "editor", json={
        "title": "Statins in primary prevention", "status": "publish", "acf": {
            "evidence_level": "1a", "peer_reviewed": True, "citations_count": "42", "author_crm": "CRM/SP 123456",
            "review_date": "20250131", "reviewer": [reviewer.wp_id],
            "references": [{"citation": "Taylor F. Cochrane 2013", "doi": "10.1002/14651858.CD004816.pub5",
                            "year": 2013},
                           {"citation": "USPSTF 2022", "year": 2022}]}})
    assert created.status_code == 201, created.json
    post_id = created.json["id"]
    assert created.json["acf"]["citations_count"] == 42 and created.json["acf"]["reviewer"] == [reviewer.wp_id]
    assert created.json["_links"]["acf:post"] == [
        {"embeddable": True, "href": f"http://{site.host}/wp-json/wp/v2/pages/{reviewer.wp_id}"}]

    bad = api("POST", f"/wp/v2/posts/{post_id}", "editor", json={"acf": {"author_crm": "SP-123"}})
    assert bad.status_code == 400 and bad.json["code"] == "rest_invalid_param"
    phi_denied = api("POST", f"/wp/v2/posts/{post_id}", "editor", json={"acf": {"case_study": {"patient_age": 61}}})
    assert phi_denied.status_code == 403
    case = api("POST", f"/acf/v3/posts/{post_id}", "doctor", json={"fields": {"case_study": {
        "patient_age": "61", "presentation": "LDL 190 mg/dL, no prior events", "outcome": "improved"}}})
    assert case.status_code == 200 and case.json["acf"]["case_study"]["outcome"] == "Improved"

    public = api("GET", f"/wp/v2/posts/{post_id}", params={"_embed": "acf:post"}).json
    assert "case_study" not in public["acf"] and public["acf"]["evidence_level"] == "1a"
    assert public["acf"]["references"][0]["doi"] == "10.1002/14651858.CD004816.pub5"
    assert public["_embedded"]["acf:post"][0]["title"]["rendered"] == "Dr. Ana Reviewer"
    assert api("GET", f"/wp/v2/posts/{post_id}", params={"_fields": "id,acf.evidence_level"}).json == {
        "id": post_id, "acf": {"evidence_level": "1a"}}
    plugin = api("GET", f"/acf/v3/posts/{post_id}").json["acf"]
    assert plugin["review_date"] == "31/01/2025" and plugin["reviewer"][0]["post_title"] == "Dr. Ana Reviewer"
    assert "case_study" not in plugin
    doctor = api("GET", f"/acf/v3/posts/{post_id}/case_study", "doctor").json
    assert doctor == {"case_study": {"patient_age": "61", "presentation": "LDL 190 mg/dL, no prior events",
                                     "outcome": "Improved"}}
    assert any(row.metadata.get("event") == "acf:phi" for row in audit_rows(site, operation="access"))


def test_the_cli_refuses_a_bad_export_an_unknown_tenant_and_a_missing_file(engine, site, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"key": "group_x", "title": "X", "fields": [{"key": "field_x", "name": "x", '
                      '"type": "flexible_content"}], "location": []}]', encoding="utf-8")
    result = wpcompat(engine, "acf", "import-groups", str(broken), "--tenant", site.tenant.slug)
    assert result.returncode == 2
    assert result.stderr == (f"wpcompat: {broken}: group_x › field_x: field type 'flexible_content' "
                             "is not supported\n")
    unknown = wpcompat(engine, "acf", "import-groups", str(EXPORT), "--tenant", "no-such-clinic")
    assert unknown.returncode == 2 and "no tenant with slug 'no-such-clinic'" in unknown.stderr
    missing = wpcompat(engine, "acf", "import-groups", str(tmp_path / "nope.json"), "--tenant", site.tenant.slug)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    not_json = tmp_path / "not.json"
    not_json.write_text("{", encoding="utf-8")
    assert "is not JSON" in wpcompat(engine, "acf", "import-groups", str(not_json), "--tenant",
                                     site.tenant.slug).stderr
