"""Links to the old site after a WXR import (importer-expectations.md §5), and the rewriter on small strings."""

import json
import re

import pytest

from wxr_import.support import TESTS, rest, run
from importers.wxr.site_links import site_rewriter

E2E = TESTS / "e2e-fixtures"
NEW = "http://example.org"                  # the test tenant's URL (support.make_import_site)


def imported_content(client, site, fixture, **options):
    run(site, E2E / fixture, **options)
    posts = rest(client, site, "/wp/v2/posts", context="edit").json
    assert len(posts) == 1
    return posts[0]["content"]["raw"]


def block_attributes(content, name):
    found = re.search(rf"<!-- wp:{name} (\{{.*?\}}) (/?)-->", content)
    return json.loads(found.group(1)), found.group(2) == "/"


# --- end to end: the WordPress importer's fixtures ----------------------------------------------------

def test_every_spelling_of_the_old_base_is_rewritten(client, site):
    content = imported_content(client, site, "wxr-base-url-rewriting.xml", media="skip")
    lines = [line.strip() for line in content.splitlines()]
    start = lines.index("URLs to rewrite:")
    assert lines[start + 2:start + 6] == [NEW, NEW, NEW, NEW + "/"]     # IRI, %73%63ience, punycode, &#104;…
    assert f'<a href="{NEW}/wp-content/image.png">Test</a>' in content
    assert f'<img src="{NEW}/wp-content/image.png">' in content
    assert "This isn't migrated: https://\U0001f680-science.comcast/science <br>" in content
    assert "Or this: super-\U0001f680-science.com/science" in content
    assert "xn--" not in content and "&#104;" not in content


def test_block_attributes_are_rewritten_as_json(client, site):
    content = imported_content(client, site, "wxr-base-url-rewriting.xml", media="skip")
    attributes, self_closing = block_attributes(content, "image")
    assert attributes == {"alt": f"{NEW}/wp-content/image.png", "notUrl": "/science/wp-content/image.png",
                          "url": "/wp-content/image.png"}
    assert not self_closing and "<!-- /wp:image -->" in content


def test_css_urls_in_style_attributes(client, site):
    content = imported_content(client, site, "wxr-css-urls.xml", media="skip")
    up = f"{NEW}/wp-content/uploads"
    for snippet in (
            f'<p style="background-image: url(&quot;{up}/bg1.jpg&quot;)">Quoted URL with single quotes',
            f'<p style="background-image: url(&quot;{up}/bg2.jpg&quot;)">Quoted URL with double quotes',
            f'<p style="background-image: url(&quot;{up}/bg3.jpg&quot;)">Unquoted URL',
            f'<p style="background-image: url(&quot;{up}/bg6.jpg&quot;); /* trailing comment */ ">',
            f'<p style="content: &quot;This is a url(fake) in a string&quot;; background: '
            f'url(&quot;{up}/bg7.jpg&quot;)">',
            f'<p style="background-image: url(&quot;{up}/bg(special).jpg&quot;)">URL with escaped parentheses',
            f'<p style="background: url(&quot;{up}/bg8.jpg&quot;), url(&quot;{up}/bg9.jpg&quot;)">Multiple URLs',
            f'<p style="background-image: URL(&quot;{up}/BG10.JPG&quot;)">Uppercase URL keyword',
            f'<figure class="wp-block-image" style="background: url(&quot;{up}/figure-bg.jpg&quot;)">'
            f'<img src="{up}/image.jpg" alt="Test Image" /></figure>',
            f'<div style="background-image: url(&quot;{up}/html-bg.jpg&quot;)">',
            # untouched
            "<p style=\"background: url('/wp-content/uploads/bg4.jpg') no-repeat\">",
            '<p style="background: /* comment */ url(&quot;/wp-content/uploads/bg5.jpg&quot;) no-repeat">',
            '<p style="background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42'
            'mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==)">',
            '<div style="background-image: none">'):
        assert snippet in content
    assert "playground.internal" not in content


def test_simple_fixture_in_skip_mode(client, site):
    content = imported_content(client, site, "wxr-simple.xml", media="skip")
    assert f'<!-- wp:navigation-link {{"url":"{NEW}/one"}} /-->' in content
    assert f'<a href="{NEW}/one">One</a>' in content
    assert '<a href="https://playground.internal/path-not-taken">the other</a>' in content
    assert '<a href="https://w.org">third</a>' in content
    assert "\nexample.org/one was the best choice." in content
    assert "\nhttps://playground.internal/path-not-taken was the second best choice." in content


def test_link_mode_keeps_links_to_files_left_on_the_old_host(client, site):
    content = imported_content(client, site, "wxr-css-urls.xml")                    # --media link (default)
    assert "<p style=\"background-image: url('https://playground.internal/wp-content/uploads/bg1.jpg')\">" in content
    assert '<img src="https://playground.internal/wp-content/uploads/image.jpg"' in content


def test_link_mode_still_rewrites_pages_of_the_old_site(client, site):
    content = imported_content(client, site, "wxr-base-url-rewriting.xml")
    lines = [line.strip() for line in content.splitlines()]
    start = lines.index("URLs to rewrite:")
    assert lines[start + 2:start + 6] == [NEW, NEW, NEW, NEW + "/"]
    assert '<a href="&#104;ttps://xn---&#115;&#99;ience-7f85g.com/science/wp-content/image.png">' in content


# --- the rewriter on small strings ---------------------------------------------------------------------

def rewriter(old="https://old.example.com/blog", new="https://new.example.org", keep_uploads=False):
    return site_rewriter(old, new, keep_uploads)


@pytest.mark.parametrize("before, after", [
    ("see https://old.example.com/blog/a", "see https://new.example.org/a"),
    ("see http://OLD.example.com/blog/a", "see https://new.example.org/a"),          # scheme, host case
    ("//old.example.com/blog/a", "//new.example.org/a"),
    ("old.example.com/blog/a", "new.example.org/a"),
    ("https://old.example.com/%62log/", "https://new.example.org/"),
    ("&#x68;ttps://old.example.com&#47;blog/a", "https://new.example.org/a"),
    ("(https://old.example.com/blog).", "(https://new.example.org)."),
    ("https://old.example.com/blog?p=1&amp;x=2", "https://new.example.org?p=1&amp;x=2"),
    # not the old site
    ("https://old.example.com/blogger", None),
    ("https://old.example.com/blog-not", None),
    ("https://old.example.com.evil/blog", None),
    ("https://www.old.example.com/blog", None),
    ("https://old.example.com:8080/blog", None),
    ("ftp://old.example.com/blog", None),
    ("mail admin@old.example.com/blog", None),
    ("https://other.example/old.example.com/blog", None),
    ("https://old.example.com/other/blog", None),
])
def test_text(before, after):
    assert rewriter()(before) == (before if after is None else after)


def test_unicode_and_punycode_hosts():
    rewrite = rewriter("https://b\u00fccher.example/x")
    assert rewrite("a https://xn--bcher-kva.example/x/y") == "a https://new.example.org/y"
    assert rewrite("a https://B\u00dcCHER.example/x/y") == "a https://new.example.org/y"
    rewrite = rewriter("https://xn--bcher-kva.example/x")
    assert rewrite("a https://b\u00fccher.example/x/y") == "a https://new.example.org/y"


def test_a_site_name_in_prose_is_not_a_link():
    rewrite = rewriter("https://wordpress.com")
    assert rewrite("the WordPress.com code") == "the WordPress.com code"
    assert rewrite("see wordpress.com/support or https://WordPress.com.") == \
        "see new.example.org/support or https://new.example.org."


def test_attributes():
    rewrite = rewriter()
    assert rewrite('<a href="/blog/about">x</a>') == '<a href="/about">x</a>'
    assert rewrite("<a href='/blog'>x</a>") == "<a href='/'>x</a>"
    assert rewrite('<a href="/blogroll">x</a>') == '<a href="/blogroll">x</a>'
    assert rewrite('<a href="old.example.com/blog/x">') == '<a href="old.example.com/blog/x">'   # a relative path
    assert rewrite('<a class="/blog/x" title="at old.example.com/blog/x">') == \
        '<a class="/blog/x" title="at new.example.org/x">'
    assert rewrite('<img srcset="/blog/a.jpg 1x, https://old.example.com/blog/b.jpg 2x">') == \
        '<img srcset="/a.jpg 1x, https://new.example.org/b.jpg 2x">'
    assert rewrite('<a href="https://old.example.com/blog/?a=1&amp;b=2" data-x=\'1\'>') == \
        '<a href="https://new.example.org/?a=1&amp;b=2" data-x=\'1\'>'
    assert site_rewriter("https://old.example.com", "https://new.example.org/site", False)(
        '<a href="/about">') == '<a href="/site/about">'


def test_css():
    rewrite = rewriter()
    assert rewrite("<p style=\"background:url( 'https://old.example.com/blog/a b.png' )\">") == \
        '<p style="background:url(&quot;https://new.example.org/a b.png&quot;)">'
    assert rewrite('<p style="background:url(/blog/x\\29.png)">') == \
        '<p style="background:url(&quot;/x).png&quot;)">'
    assert rewrite('<p style="--my-url(https://old.example.com/blog/a)">') == \
        '<p style="--my-url(https://old.example.com/blog/a)">'
    assert rewrite("<p style='a: \"url(https://old.example.com/blog/a)\"'>") == \
        "<p style='a: \"url(https://old.example.com/blog/a)\"'>"
    assert rewrite('<p style="background:url(https://other.example/blog/a)">') == \
        '<p style="background:url(https://other.example/blog/a)">'


def test_block_comments_stay_valid():
    rewrite = rewriter()
    before = ('<!-- wp:core/button {"url":"\\/blog\\/x","nested":{"list":["https:\\/\\/old.example.com\\/blog\\/y"]},'
              '"label":"a -- <b> & \\"q\\"","n":1.5,"t":true,"z":null} /-->')
    after = rewrite(before)
    attributes, self_closing = block_attributes(after, "core/button")
    assert self_closing
    assert attributes == {"url": "/x", "nested": {"list": ["https://new.example.org/y"]},
                          "label": 'a -- <b> & "q"', "n": 1.5, "t": True, "z": None}
    assert "--" not in after[5:-4] and "<b>" not in after         # still one comment, as WordPress writes it
    untouched = '<!-- wp:image {"url":"https://elsewhere.example/x",  "id":3} -->'
    assert rewrite(untouched) == untouched
    broken = '<!-- wp:image {"url":"https://old.example.com/blog/x", } -->'
    assert rewrite(broken) == broken
    assert rewrite('<!-- plain https://old.example.com/blog/x -->') == '<!-- plain https://old.example.com/blog/x -->'


def test_keep_uploads():
    rewrite = rewriter(keep_uploads=True)
    for kept in ('<img src="https://old.example.com/blog/wp-content/uploads/2024/01/a.JPG">',
                 '<a href="https://old.example.com/blog/files/report.pdf?dl=1">',
                 '<p style="background:url(\'/blog/wp-content/uploads/x\')">'):
        assert rewrite(kept) == kept
    assert rewrite('<a href="https://old.example.com/blog/about/">') == '<a href="https://new.example.org/about/">'


def test_nothing_to_do():
    assert site_rewriter("", "https://new.example.org", False) is None
    assert site_rewriter("https://same.example", "https://same.example/", False) is None
    rewrite = rewriter()
    text = "<p>caf&eacute; &amp; <b>tea</b> &#8217; <!-- x --> a < b</p>"
    assert rewrite(text) == text and rewrite("") == "" and rewrite(None) is None
