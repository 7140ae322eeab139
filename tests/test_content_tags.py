"""wp_filter_content_tags's attachment half (wpcompat/content_tags.py): width/height, srcset/sizes on
wp-image-N images, then loading/decoding — alone, and in content.rendered of posts and revisions, tenant-
scoped, loaded once per page and never served stale from the response cache."""

from wpcompat.content_tags import ContentImage, ContentImages
from wpcompat.db import db, tenant_scope
from wpcompat.models import Media, Post
from wpcompat.queries import media as media_queries
from wpcompat.render import render_content
from wpcompat.wp_ids import next_wp_id

from conftest import basic_auth

UPLOADS = "http://h.test/wp-content/uploads/2024/01/"
META = {"width": 320, "height": 240, "file": "2024/01/azul.png", "filesize": 1181,
        "sizes": {"medium": {"file": "azul-300x225.png", "width": 300, "height": 225, "mime-type": "image/png"},
                  "thumbnail": {"file": "azul-150x150.png", "width": 150, "height": 150, "mime-type": "image/png"}}}
AZUL = ContentImages((ContentImage.of(4, META, UPLOADS + "azul.png"),))
FULL_SRCSET = f'srcset="{UPLOADS}azul.png 320w, {UPLOADS}azul-300x225.png 300w"'


def render(html, images=AZUL):
    return render_content(html, images)


# --- the filter ---------------------------------------------------------------------------------

def test_the_golden_image_block_gets_what_wordpress_6_1_added():
    raw = ('<!-- wp:image {"id":4,"sizeSlug":"full"} -->\n<figure class="wp-block-image size-full">'
           f'<img src="{UPLOADS}azul.png" alt="" class="wp-image-4"/></figure>\n<!-- /wp:image -->')
    assert render(raw) == (
        '\n<figure class="wp-block-image size-full"><img decoding="async" loading="lazy" width="320" height="240" '
        f'src="{UPLOADS}azul.png" alt="" class="wp-image-4" {FULL_SRCSET} sizes="(max-width: 320px) 100vw, 320px" />'
        '</figure>\n')


def test_width_and_height_are_those_of_the_sub_size_the_src_names():
    html = render(f'<img src="{UPLOADS}azul-300x225.png?v=2" class="wp-image-4">', images=AZUL)
    assert html == (f'<p><img decoding="async" loading="lazy" width="300" height="225" src="{UPLOADS}azul-300x225.png'
                    f'?v=2" class="wp-image-4" srcset="{UPLOADS}azul-300x225.png 300w, {UPLOADS}azul.png 320w" '
                    'sizes="(max-width: 300px) 100vw, 300px" /></p>\n')


def test_the_tags_own_width_and_height_are_kept_and_size_the_srcset():
    html = render(f'<img src="{UPLOADS}azul.png" width="160" height="120" class="wp-image-4" />')
    assert ' width="160" height="120" ' in html and 'width="320"' not in html
    assert f'{FULL_SRCSET} sizes="(max-width: 160px) 100vw, 160px" />' in html
    assert html.startswith('<p><img decoding="async" loading="lazy" src=')


def test_a_size_of_another_ratio_or_wider_than_2048_is_left_out_of_the_srcset():
    meta = {"width": 4000, "height": 3000, "file": "2024/01/big.jpg",
            "sizes": {"large": {"file": "big-1024x768.jpg", "width": 1024, "height": 768},
                      "2560": {"file": "big-2560x1920.jpg", "width": 2560, "height": 1920},
                      "thumbnail": {"file": "big-150x150.jpg", "width": 150, "height": 150}}}
    images = ContentImages((ContentImage.of(7, meta, UPLOADS + "big.jpg"),))
    html = render(f'<img src="{UPLOADS}big-1024x768.jpg" class="wp-image-7">', images)
    assert f'srcset="{UPLOADS}big-1024x768.jpg 1024w" ' not in html            # one source: no srcset at all
    assert "srcset" not in html and 'width="1024" height="768"' in html


def test_an_existing_srcset_is_left_alone_and_gets_no_sizes():
    html = render(f'<img src="{UPLOADS}azul.png" srcset="{UPLOADS}custom.png 1x" class="wp-image-4">')
    assert f'srcset="{UPLOADS}custom.png 1x"' in html and "sizes=" not in html and html.count("srcset") == 1
    assert 'width="320" height="240"' in html


def test_an_image_without_wp_image_class_gets_only_decoding():
    html = render(f'<img src="{UPLOADS}azul.png" class="aligncenter">\n'
                  f'<img src="{UPLOADS}azul.png" class="wp-image-4">')
    first, second = html.split("\n", 1)
    assert first == f'<p><img decoding="async" src="{UPLOADS}azul.png" class="aligncenter"><br />'
    assert FULL_SRCSET in second


def test_an_unknown_attachment_or_a_src_that_is_not_its_file_gets_only_decoding():
    html = render(f'<img src="{UPLOADS}azul.png" class="wp-image-99">\n'
                  f'<img src="{UPLOADS}verde.png" class="wp-image-4">\n'
                  f'<img src="{UPLOADS}azul.png" class="wp-image-4">').split("\n")
    assert html[0] == f'<p><img decoding="async" src="{UPLOADS}azul.png" class="wp-image-99"><br />'
    assert html[1] == f'<img decoding="async" src="{UPLOADS}verde.png" class="wp-image-4"><br />'
    assert FULL_SRCSET in html[2]


def test_numbers_past_php_ints_are_read_as_php_reads_them_not_a_500():
    huge = "9" * 400
    html = render(f'<img src="{UPLOADS}azul.png" width="{huge}" height="1" class="wp-image-4">')
    assert 'width="' + huge in html and "decoding=" in html          # the tag as written, still rendered
    html = render(f'<img src="{UPLOADS}azul.png" width="{"9" * 5000}" height="2" class="wp-image-4">')
    assert "decoding=" in html
    html = render(f'<img src="{UPLOADS}azul.png" class="wp-image-{"9" * 5000}">')
    assert "srcset" not in html and "decoding=" in html                # no such attachment
    odd = ContentImages((ContentImage.of(4, {**META, "width": 1e308 * 10, "height": "9" * 5000},
                                         UPLOADS + "azul.png"),))
    assert "decoding=" in render(f'<img src="{UPLOADS}azul.png" class="wp-image-4">', odd)


def test_iframes_with_dimensions_are_lazy():
    assert render('<iframe src="https://v.test/1" width="560" height="315"></iframe>', None) == \
        '<p><iframe loading="lazy" src="https://v.test/1" width="560" height="315"></iframe></p>\n'


# --- in REST answers ----------------------------------------------------------------------------

def image(site, wp_id=None, metadata=META):
    with tenant_scope(site.id):
        wp_id = wp_id or next_wp_id("post")
        return Media.create(title="Azul", filename=f"{site.tenant.slug}/2024/01/azul-{wp_id}.png",
                            original_filename="azul.png", mime_type="image/png", file_size=1181,
                            uploaded_by=site.admin.id, wp_id=wp_id, metadata=metadata)


def post_with(site, media_id, title="Com imagem"):
    with tenant_scope(site.id):
        return Post.create(title=title, slug=f"img-{next_wp_id('post')}", status="publish", author=site.author.id,
                           wp_id=next_wp_id("post"), compliance_level="public",
                           content=f'<img src="http://{site.host}/wp-content/uploads/2024/01/azul.png" '
                                   f'class="wp-image-{media_id}">')


def rendered(client, site, post):
    result = client.simulate_get(f"/wp-json/wp/v2/posts/{post.wp_id}", host=site.host)
    assert result.status_code == 200
    return result.json["content"]["rendered"]


def test_a_post_shows_its_attachments_sizes(client, site_a):
    media = image(site_a)
    html = rendered(client, site_a, post_with(site_a, media.wp_id))
    base = f"http://{site_a.host}/wp-content/uploads/2024/01/"
    assert html == (f'<p><img decoding="async" loading="lazy" width="320" height="240" src="{base}azul.png" '
                    f'class="wp-image-{media.wp_id}" srcset="{base}azul.png 320w, {base}azul-300x225.png 300w" '
                    'sizes="(max-width: 320px) 100vw, 320px" /></p>\n')


def test_a_post_naming_an_attachment_id_past_any_integer_still_renders(client, site_a):
    html = rendered(client, site_a, post_with(site_a, "9" * 30))
    assert "srcset" not in html and "decoding=" in html
    listed = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host)
    assert listed.status_code == 200


def test_a_manual_excerpt_gets_them_too(client, site_a):
    """WordPress runs wp_filter_content_tags on the_excerpt as well; a generated excerpt has no tags left."""
    media = image(site_a)
    post = post_with(site_a, media.wp_id)
    with tenant_scope(site_a.id):
        Post.update(excerpt=post.content).where(Post.id == post.id).execute()
    result = client.simulate_get(f"/wp-json/wp/v2/posts/{post.wp_id}", host=site_a.host)
    assert 'width="320" height="240"' in result.json["excerpt"]["rendered"]
    assert "srcset=" in result.json["excerpt"]["rendered"]


def test_another_tenants_attachment_is_not_used(client, site_a, site_b):
    media = image(site_a, wp_id=777)             # site_b has no id 777
    assert "srcset" in rendered(client, site_a, post_with(site_a, media.wp_id))
    html = rendered(client, site_b, post_with(site_b, media.wp_id))
    assert "srcset" not in html and "width=" not in html and 'decoding="async"' in html


def test_phi_media_are_not_used(client, site_a):
    media = image(site_a)
    post = post_with(site_a, media.wp_id)
    assert "srcset" in rendered(client, site_a, post)
    with tenant_scope(site_a.id):
        Media.update(contains_phi=True).where(Media.id == media.id).execute()
    assert "srcset" not in rendered(client, site_a, post)


def test_a_media_edit_shows_in_the_next_answer(client, site_a):
    media = image(site_a)
    post = post_with(site_a, media.wp_id)
    assert 'width="320"' in rendered(client, site_a, post)
    assert 'width="320"' in rendered(client, site_a, post)                 # kept and replayed
    with tenant_scope(site_a.id):
        Media.update(metadata={**META, "width": 640, "height": 480}).where(Media.id == media.id).execute()
    html = rendered(client, site_a, post)
    assert 'width="640" height="480"' in html and 'azul.png 640w' in html and 'sizes="(max-width: 640px)' in html


def test_a_revision_shows_its_attachments_sizes(client, site_a):
    media = image(site_a)
    post = post_with(site_a, media.wp_id)
    admin = {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)}
    content = post.content.replace("<img ", '<p>v2</p><img ')
    updated = client.simulate_post(f"/wp-json/wp/v2/posts/{post.wp_id}", host=site_a.host, headers=admin,
                                   json={"content": content})
    assert updated.status_code == 200 and "srcset=" in updated.json["content"]["rendered"]
    revisions = client.simulate_get(f"/wp-json/wp/v2/posts/{post.wp_id}/revisions", host=site_a.host, headers=admin)
    assert revisions.status_code == 200 and revisions.json
    assert all("srcset=" in item["content"]["rendered"] for item in revisions.json)


def test_a_list_loads_the_attachments_of_all_its_posts_in_one_query(client, site_a, monkeypatch):
    for _ in range(10):
        post_with(site_a, image(site_a).wp_id)
    statements, lookups = [], []
    original, lookup = db.obj.execute_sql, media_queries.content_images

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    monkeypatch.setattr(media_queries, "content_images", lambda *args: lookups.append(args) or lookup(*args))
    client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params={"per_page": 1})    # warm: the site directory
    counts = {}
    for per_page in (2, 10):
        statements.clear(), lookups.clear()
        result = client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host, params={"per_page": per_page})
        assert [("srcset=" in item["content"]["rendered"]) for item in result.json] == [True] * per_page
        counts[per_page] = len(statements)
        assert len(lookups) == 1 and len(lookups[0][0]) == per_page
    assert counts[2] == counts[10]


def test_a_revisions_list_loads_the_attachments_of_all_its_revisions_in_one_query(client, site_a, monkeypatch):
    post = post_with(site_a, image(site_a).wp_id)
    admin = {"Authorization": basic_auth(site_a.admin.login, site_a.admin_password)}
    for _ in range(3):                              # each revision names another attachment
        content = f'<img src="http://{site_a.host}/wp-content/uploads/2024/01/azul.png" class="wp-image-' \
                  f'{image(site_a).wp_id}">'
        assert client.simulate_post(f"/wp-json/wp/v2/posts/{post.wp_id}", host=site_a.host, headers=admin,
                                    json={"content": content}).status_code == 200
    lookups, lookup = [], media_queries.content_images
    monkeypatch.setattr(media_queries, "content_images", lambda *args: lookups.append(args) or lookup(*args))
    revisions = client.simulate_get(f"/wp-json/wp/v2/posts/{post.wp_id}/revisions", host=site_a.host, headers=admin)
    assert revisions.status_code == 200 and len(revisions.json) >= 3
    assert all("srcset=" in item["content"]["rendered"] for item in revisions.json)
    assert len(lookups) == 1


def test_a_media_item_whose_stored_sizes_are_not_numbers_still_answers(client, site_a):
    media = image(site_a, metadata={**META, "width": "x", "sizes": {"medium": {"file": "azul-300x225.png",
                                                                               "width": "wide", "height": None}}})
    result = client.simulate_get(f"/wp-json/wp/v2/media/{media.wp_id}", host=site_a.host)
    assert result.status_code == 200 and "<img" in result.json["description"]["rendered"]
