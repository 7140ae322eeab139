"""wpcompat.kses: WordPress's allowlists (post HTML, the small set, inline CSS) and what they leave."""

from pathlib import Path

import pytest

from wpcompat import kses

HOME = "https://clinica.example"
BLOCKS = (Path(__file__).parent / "data" / "gutenberg-blocks.html").read_text(encoding="utf-8")


def test_gutenberg_block_markup_is_kept_byte_for_byte():
    """Headings, images (with Gutenberg's `/>`), cover, columns with flex-basis styles, buttons, a table,
    a PDF embed on the site's own host, `download`, aria and data attributes, block comments."""
    assert kses.filter_post(BLOCKS, HOME) == BLOCKS


def test_a_pdf_embed_from_another_host_loses_its_address():
    cleaned = kses.filter_post(BLOCKS, "https://other.example")
    embed = cleaned[cleaned.index("<object"):cleaned.index("</object>")]
    assert 'type="application/pdf"' in embed and "data=" not in embed
    assert cleaned.count("<!-- wp:") == BLOCKS.count("<!-- wp:") and 'class="wp-image-12">' in cleaned
    assert kses.filter_post('<object data="https://clinica.example/a.pdf?x=1" type="application/pdf"></object>',
                            HOME) == '<object type="application/pdf"></object>'
    assert kses.filter_post('<object data="https://clinica.example/a.swf" type="application/x-shockwave-flash">'
                            '</object>', HOME) == "<object></object>"


@pytest.mark.parametrize("html, cleaned", [
    ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
    ("<img src=x onerror=alert(1)//", ""),                                   # an unfinished tag is not a tag
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="JaVa&#x09;ScRiPt&colon;alert(1)">x</a>', "<a>x</a>"),        # entities and tabs in the scheme
    ('<a href=" data:text/html;base64,PHNjcmlwdD4=">x</a>', "<a>x</a>"),
    ('<p onclick="steal()" class="lead">Texto</p>', '<p class="lead">Texto</p>'),
    ("<script>alert(document.cookie)</script>", "alert(document.cookie)"),   # the tag goes, its text stays
    ('<iframe src="https://evil.example/"></iframe><embed src="x.swf">', ""),
    ('<svg><animate onbegin="alert(1)" attributeName="x"></animate></svg>', ""),
    ('<form action="https://evil.example/"><input name="cpf"></form>', ""),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ""),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '&lt;p title="<img src="x">"&gt;'),
    ('<p style="background:url(javascript:alert(1))">x</p>', "<p>x</p>"),
    ('<p style="color:red;position:fixed;top:0;left:0">x</p>', '<p style="color:red">x</p>'),
    ('<div style="width:expression(alert(1))">x</div>', "<div>x</div>"),
    ("<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->", "<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->"),
    ("Tom & Jerry <3", "Tom &amp; Jerry &lt;3"),
    ('<blockquote cite="javascript:alert(1)">q</blockquote>', "<blockquote>q</blockquote>"),   # not nh3's list
    ('<q cite=" JaVa&#x09;script:x">q</q><ins cite="https://who.int/">i</ins>',
     '<q>q</q><ins cite="https://who.int/">i</ins>'),
    ('<img longdesc="javascript:alert(1)" usemap="#mapa" src="a.png">', '<img src="a.png" usemap="#mapa">'),
    ('<p style="background:url(java\\73 cript:alert(1))">x</p>', "<p>x</p>"),                # a CSS escape
    ('<a href="https://evil.example/">aberto</a\x0b/>', '<a href="https://evil.example/">aberto</a>'),  # no end tag
])
def test_post_html_loses_scripts_handlers_and_unsafe_urls(html, cleaned):
    assert kses.filter_post(html, HOME) == cleaned


def test_an_unclosed_link_is_closed_not_kept_as_sent():
    """`</a\\x0b/>` is not an end tag (\\x0b is no HTML white space): kept as sent, the link would run on
    over the rest of the page (comments, footer)."""
    assert kses.filter_small('<a href="https://evil.example/">x</a\x0b/>') == '<a href="https://evil.example/">x</a>'


def test_the_small_set_keeps_links_and_emphasis_only():
    html = ('<p>Ver <a href="https://sbc.example/" title="SBC" target="_blank">diretriz</a>, <em>não</em> '
            '<img src="x.png"> <abbr title="pressão arterial">PA</abbr></p>')
    assert kses.filter_small(html) == ('Ver <a href="https://sbc.example/" title="SBC">diretriz</a>, <em>não</em>  '
                                      '<abbr title="pressão arterial">PA</abbr>')
    assert kses.filter_small('<a href="javascript:void(0)" onclick="x()">x</a>') == "<a>x</a>"


@pytest.mark.parametrize("css, kept", [
    ("color: red; font-size: 18px", "color: red;font-size: 18px"),
    ("flex-basis:33.33%", "flex-basis:33.33%"),
    ("width:calc(100% - var(--gap, 2px))", "width:calc(100% - var(--gap, 2px))"),
    ("--wp--custom:1px;--evil:url(javascript:x)", "--wp--custom:1px"),
    ("background-image:url('https://clinica.example/bg.jpg')",
     "background-image:url('https://clinica.example/bg.jpg')"),
    ("background:linear-gradient(135deg,rgb(6,147,227) 0%,rgb(155,81,224) 100%)",
     "background:linear-gradient(135deg,rgb(6,147,227) 0%,rgb(155,81,224) 100%)"),
    ("background:url(javascript:alert(1))", ""),
    ("behavior:url(x.htc);color:blue", "color:blue"),
    ("color:red/* hidden */", ""),
    ("width:calc(1px", ""),                                                   # unbalanced: refused
    ("position:absolute;z-index:9999", ""),                                  # not in 6.1's list
])
def test_inline_styles_keep_wordpress_safe_properties(css, kept):
    assert kses.safe_css(css) == kept


def test_sanitize_text_field_strips_tags_breaks_and_octets():
    assert kses.sanitize_text_field(" <b>Dr.</b>\n Ana %0a<script>x</script> ") == "Dr. Ana"
    assert kses.sanitize_text_field("a < b") == "a &lt; b"


def test_html_in_block_attributes_is_filtered_too():
    """Editors may render a block's attributes as HTML (WordPress filters them: filter_block_content)."""
    paragraph = "\n<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->"
    hostile = ('<!-- wp:acme/card {"title":"\\u003cimg src=x onerror=alert(1)\\u003e\\u003cb\\u003eOi\\u003c/b\\u003e",'
               '"url":"https://clinica.example/?a=1&b=2","size":3} /-->' + paragraph)
    assert kses.filter_post(hostile, HOME) == (
        '<!-- wp:acme/card {"title":"\\u003cimg src=\\u0022x\\u0022\\u003e\\u003cb\\u003eOi\\u003c/b\\u003e",'
        '"url":"https://clinica.example/?a=1\\u0026b=2","size":3} /-->' + paragraph)
    safe = ('<!-- wp:acme/card {"title":"\\u003cb\\u003eOi\\u003c/b\\u003e",'
            '"url":"https://clinica.example/?a=1&b=2"} /-->')
    assert kses.filter_post(safe, HOME) == safe                       # nothing to remove: kept as sent


@pytest.mark.parametrize("comment, cleaned", [
    ('<!--\twp:acme/card {"t":"\\u003cimg src=x onerror=alert(1)\\u003e"} /-->',          # any white space
     '<!--\twp:acme/card {"t":"\\u003cimg src=\\u0022x\\u0022\\u003e"} /-->'),
    ('<!-- wp:acme/card {"\\u003cimg src=x onerror=alert(1)\\u003e":1} /-->',               # keys too
     '<!-- wp:acme/card {"\\u003cimg src=\\u0022x\\u0022\\u003e":1} /-->'),
    ('<!-- wp:acme/card {"s":"\\ud800","t":"\\u003cb onclick=x\\u003e"} /-->',            # a lone surrogate
     '<!-- wp:acme/card {"s":"\\ud800","t":"\\u003cb\\u003e\\u003c/b\\u003e"} /-->'),
    ('<!-- wp:acme/card {"n":NaN,"t":"\\u003cimg onerror=y\\u003e"} /-->', ""),          # not JSON: dropped
    ("<!-- wp:acme/card " + '{"a":' * 3000 + '"\\u003cimg onerror=y\\u003e"' + "}" * 3000 + " /-->", ""),
])
def test_block_attributes_kses_cannot_read_safely_are_filtered_or_dropped(comment, cleaned):
    assert kses.filter_post(comment, HOME) == cleaned


def test_text_with_a_lone_surrogate_is_filtered_not_refused():
    assert kses.filter_post("x\ud800<img src=x onerror=y>", HOME) == 'x\ufffd<img src="x">'
