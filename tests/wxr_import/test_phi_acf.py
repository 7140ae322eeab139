"""Healthcare rules on imported content (S.2.1 LGPD flags), ACF values in their field groups, gallery ids."""

import json

from wpcompat.acf.importer import import_groups
from wpcompat.db import tenant_scope
from wpcompat.models import Comment, CustomField, Post, WorkflowState

from wxr_import.support import rest, run

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        '<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example</wp:base_site_url>')
TAIL = "</channel></rss>"


def item(post_id, title, content="", post_type="post", meta=(), extra=""):
    metas = "".join(f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key><wp:meta_value><![CDATA[{value}]]>"
                    f"</wp:meta_value></wp:postmeta>" for key, value in meta)
    return (f"<item><title>{title}</title><content:encoded><![CDATA[{content}]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_type>{post_type}</wp:post_type>"
            f"<wp:status>{'inherit' if post_type == 'attachment' else 'publish'}</wp:status>"
            f"<wp:post_name>{title.lower().replace(' ', '-')}</wp:post_name>{extra}{metas}</item>")


def wxr(tmp_path, *items, name="site.xml"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(items) + TAIL, encoding="utf-8")
    return path


def test_patient_data_is_flagged_phi_and_recorded_in_the_workflow(client, site, tmp_path):
    comment = ("<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>Ana</wp:comment_author>"
               "<wp:comment_date>2024-01-01 10:00:00</wp:comment_date><wp:comment_approved>1</wp:comment_approved>"
               "<wp:comment_content>Meu CPF é 529.982.247-25</wp:comment_content></wp:comment>")
    path = wxr(tmp_path,
               item(40, "Case report", "<p>A paciente Maria da Silva, 45 anos, voltou.</p>",
                    meta=[("patient_doc", "529.982.247-25"), ("clinic_phone", "(11) 3333-4444")], extra=comment),
               item(41, "Vaccines", "<p>Vaccines save lives.</p>"))
    report = run(site, path)
    assert report.phi["posts"] == 1 and report.phi["custom_fields"] == 1 and report.phi["comments"] == 1
    anonymous = client.simulate_get("/wp-json/wp/v2/posts/40", host=site.host)
    assert anonymous.status_code == 404                                       # PHI does not exist for the public
    assert client.simulate_get("/wp-json/wp/v2/posts/41", host=site.host).status_code == 200
    assert rest(client, site, "/wp/v2/posts/40").json["compliance_level"] == "phi"
    with tenant_scope(site.id):
        post = Post.get(Post.wp_id == 40)
        fields = {row.meta_key: row.is_phi for row in CustomField.select().where(CustomField.post == post.id)}
        state = WorkflowState.get(WorkflowState.content_id == post.id)
        assert Comment.get(Comment.source_id == 7).contains_phi is True
        assert not WorkflowState.select().where(WorkflowState.content_id == Post.get(Post.wp_id == 41).id).exists()
    assert fields == {"patient_doc": True, "clinic_phone": False}
    assert state.lgpd_score is not None and state.lgpd_score < 100


ACF_EXPORT = [{
    "key": "group_case", "title": "Case", "show_in_rest": 1, "active": True, "menu_order": 0,
    "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
    "fields": [
        {"key": "field_evidence", "label": "Evidence", "name": "evidence", "type": "number"},
        {"key": "field_related", "label": "Related", "name": "related", "type": "relationship",
         "return_format": "id"},
        {"key": "field_patient", "label": "Patient", "name": "patient", "type": "text", "is_phi": 1},
    ]}]


def test_acf_values_land_typed_and_relations_follow_remapped_ids(client, site, tmp_path):
    with tenant_scope(site.id):
        import_groups(ACF_EXPORT)
        taken = Post.create(title="Already here", slug="already-here", wp_id=50, author=site.admin.id,
                            status="publish")
    path = wxr(tmp_path,
               item(50, "Referenced study", "<p>Study.</p>"),                   # id 50 is taken: remapped
               item(51, "Main article", "<p>Main.</p>", meta=[
                   ("evidence", "3"), ("_evidence", "field_evidence"),
                   ("related", 'a:1:{i:0;s:2:"50";}'), ("_related", "field_related"),
                   ("plain", "value")]))
    report = run(site, path)
    new_id = report.remapped_ids["post"]["50"]
    assert new_id != 50
    acf = rest(client, site, "/wp/v2/posts/51").json["acf"]
    assert acf["evidence"] == 3 and acf["related"] == [new_id]
    with tenant_scope(site.id):
        rows = {row.meta_key: row for row in
                CustomField.select().where(CustomField.post == Post.get(Post.wp_id == 51).id)}
        assert taken.wp_id == 50
    assert rows["evidence"].field_group == "group_case" and rows["evidence"].meta_type == "number"
    assert "_evidence" not in rows and rows["plain"].meta_type == "text"


def test_gallery_ids_follow_remapped_attachments(client, site, tmp_path):
    with tenant_scope(site.id):
        Post.create(title="Taken", slug="taken", wp_id=60, author=site.admin.id, status="publish")
    attachment = item(60, "Photo", post_type="attachment",
                      extra="<wp:attachment_url>https://old.example/wp-content/uploads/2020/01/p.jpg</wp:attachment_url>")
    path = wxr(tmp_path, item(61, "Album", '[gallery ids="60,99"]'), attachment)
    report = run(site, path)
    new_id = report.remapped_ids["post"]["60"]
    content = rest(client, site, "/wp/v2/posts/61", context="edit").json["content"]["raw"]
    assert content == f'[gallery ids="{new_id},99"]'
    assert rest(client, site, f"/wp/v2/media/{new_id}").json["source_url"].endswith("/2020/01/p.jpg")
    assert json.dumps(report.as_dict())                                       # the report is JSON
