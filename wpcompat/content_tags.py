"""The attachment half of WordPress 6.1's wp_filter_content_tags (media.php), in our own Python.

For an ``<img>`` naming an attachment (``wp-image-{ID}``, anywhere in the tag), WordPress adds
- ``width``/``height`` when the tag has neither (wp_img_tag_add_width_and_height_attr): the size
  of the file the src names, the full image's or one of its sub-sizes' (wp_image_src_get_dimensions);
- ``srcset``/``sizes`` when the tag has no srcset (wp_image_add_srcset_and_sizes): the sub-sizes of
  the same aspect ratio, at most 2048px wide unless the src names them, the src's own file first,
  only when the src is one of the attachment's files and there are two sources or more
  (wp_calculate_image_srcset); ``sizes`` is ``(max-width: Wpx) 100vw, Wpx`` (wp_calculate_image_sizes).
render.filter_content_tags then adds ``loading`` and ``decoding``, for every image.

Pure: the caller loads the attachments (one query per response) and passes a `ContentImages`, which
render.filter_content_tags calls as its ``filter_image`` hook. It is hashable, so the rendering stays
cacheable, and a changed attachment is a different key. The dimension maths (wp_constrain_dimensions,
wp_image_matches_ratio) lives here too; responses/media.py uses it for its own image HTML.
"""

from __future__ import annotations

import dataclasses
import math
import re

from wpcompat.render import PHP_INT_MAX, php_intval

MAX_SRCSET_WIDTH = 2048                                    # max_srcset_image_width

_A = re.ASCII
_IMG = re.compile(r"<img\s[^>]+>", _A)                   # as wp_filter_content_tags finds tags
_WP_IMAGE_ID = re.compile(r"wp-image-([0-9]+)", re.I | _A)
_SRC = re.compile(r'src="([^"]+)"', _A)
_WIDTH = re.compile(r' width="([0-9]+)"', _A)
_HEIGHT = re.compile(r' height="([0-9]+)"', _A)
_EDIT_HASH = re.compile(r"-e[0-9]{13}", _A)
_IMG_END = re.compile(r"<img ([^>]+?)[/ ]*>", _A)
_AMP = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);)", re.I | _A)


# --- dimensions -----------------------------------------------------------------------------

def php_round(value):
    return int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))


def constrain(width, height, max_width=0, max_height=0):
    """wp_constrain_dimensions: fit (width, height) in the box, never upscaling."""
    if not max_width and not max_height:
        return width, height
    width_ratio = max_width / width if max_width and width > max_width else 1.0
    height_ratio = max_height / height if max_height and height > max_height else 1.0
    smaller, larger = min(width_ratio, height_ratio), max(width_ratio, height_ratio)
    too_big = php_round(width * larger) > max_width or php_round(height * larger) > max_height
    ratio = smaller if too_big else larger
    new_width, new_height = max(1, php_round(width * ratio)), max(1, php_round(height * ratio))
    if width_ratio < 1 and new_width == max_width - 1:
        new_width = max_width
    if height_ratio < 1 and new_height == max_height - 1:
        new_height = max_height
    return new_width, new_height


def close(a, b):
    """wp_fuzzy_number_match with its default precision of 1."""
    return abs(a - b) <= 1


def matches_ratio(width, height, target_width, target_height):
    """wp_image_matches_ratio."""
    if width > target_width:
        constrained, expected = constrain(width, height, target_width), (target_width, target_height)
    else:
        constrained, expected = constrain(target_width, target_height, width), (width, height)
    return close(constrained[0], expected[0]) and close(constrained[1], expected[1])


# --- the attachments ------------------------------------------------------------------------

def meta_int(value):
    """A metadata number as PHP's (int) reads it: 0 if it is none, saturated at PHP's integer range."""
    try:
        return max(-PHP_INT_MAX - 1, min(int(value or 0), PHP_INT_MAX))
    except (TypeError, ValueError, OverflowError):
        return 0


def _basename(path):
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1] if path else ""


@dataclasses.dataclass(frozen=True)
class ContentImage:
    """What the content filter needs of one attachment's metadata (wp_get_attachment_metadata)."""

    wp_id: int
    file: str                  # the full image, relative to the uploads directory ("2024/01/a.png")
    width: int
    height: int
    sizes: tuple               # ((file, width, height), ...) in the metadata's order
    has_sizes: bool
    gif_thumbnail: bool        # an animated GIF's sub-sizes are flattened: no full size in srcset
    base_url: str              # where the files are served, ending in "/"

    @classmethod
    def of(cls, wp_id, metadata, url):
        """From stored metadata (media_details) and the attachment's URL (its files' folder)."""
        meta = metadata if isinstance(metadata, dict) else {}
        sizes = meta.get("sizes") if isinstance(meta.get("sizes"), dict) else {}
        thumbnail = sizes.get("thumbnail") if isinstance(sizes.get("thumbnail"), dict) else {}
        listed = tuple((str(size.get("file") or ""), meta_int(size.get("width")), meta_int(size.get("height")))
                       for size in sizes.values() if isinstance(size, dict))
        file = meta.get("file") if isinstance(meta.get("file"), str) else ""
        return cls(int(wp_id), file, meta_int(meta.get("width")), meta_int(meta.get("height")), listed, bool(sizes),
                   thumbnail.get("mime-type", thumbnail.get("mime_type")) == "image/gif",
                   url.rsplit("/", 1)[0] + "/" if url else "")

    def src_dimensions(self, src):
        """wp_image_src_get_dimensions: the size of the file the src names, or None."""
        if self.file and _basename(self.file) in src:
            return self.width, self.height
        name = _basename(src)
        for file, width, height in self.sizes:
            if name == file:
                return width, height
        return None

    def srcset(self, width, height, src):
        """wp_calculate_image_srcset, or None."""
        if not self.has_sizes or len(self.file) < 4 or width < 1:
            return None
        candidates = list(self.sizes)
        if not self.gif_thumbnail:
            candidates.append((_basename(self.file), self.width, self.height))
        elif self.file in src:
            return None
        folder = _relative_folder(self.file)
        edited = _EDIT_HASH.search(_basename(src))
        sources, matched = {}, False
        for file, image_width, image_height in candidates:
            is_src = not matched and folder + file in src
            matched = matched or is_src
            if edited and file.find(edited.group(0)) <= 0:
                continue
            if image_width > MAX_SRCSET_WIDTH and not is_src:
                continue
            if matches_ratio(width, height, image_width, image_height):
                source = f"{self.base_url}{file}".replace(" ", "%20") + f" {image_width}w"
                if is_src:        # the src first; a width already listed keeps the src's entry
                    sources = {image_width: source, **{key: value for key, value in sources.items()
                                                       if key != image_width}}
                else:
                    sources[image_width] = source
        return ", ".join(sources.values()) if matched and len(sources) > 1 else None


def _relative_folder(file):
    """_wp_get_attachment_relative_path, with its trailing slash ("" for a file at the top)."""
    folder = file.rsplit("/", 1)[0] if "/" in file else ""
    if "wp-content/uploads" in folder:
        folder = folder[folder.index("wp-content/uploads") + 18:].lstrip("/")
    return folder + "/" if folder else ""


# --- the tags -------------------------------------------------------------------------------

def image_ids(text):
    """The attachment ids content images name (wp-image-N in an <img> tag)."""
    if not text or "<img" not in text:
        return set()
    found = (_WP_IMAGE_ID.search(tag) for tag in _IMG.findall(text))
    return {php_intval(match.group(1)) for match in found if match and php_intval(match.group(1))}


def esc_attr(value):
    """esc_attr for the URLs and numbers put here: entities kept, the rest escaped."""
    value = _AMP.sub("&amp;", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#039;")


def _src(tag):
    found = _SRC.search(tag)
    return found.group(1).split("?", 1)[0] if found else ""


def add_width_and_height(tag, image):
    """wp_img_tag_add_width_and_height_attr."""
    src = _src(tag)
    dimensions = image.src_dimensions(src) if src else None
    if not dimensions:
        return tag
    width, height = dimensions
    hw = (f'width="{width}" ' if width else "") + (f'height="{height}" ' if height else "")
    return tag.replace("<img", f"<img {hw.strip()}")


def add_srcset_and_sizes(tag, image):
    """wp_image_add_srcset_and_sizes: the tag's own width and height, else the src file's."""
    src = _src(tag)
    if not image.has_sizes or not src:
        return tag
    edit = _EDIT_HASH.search(image.file)
    if edit and edit.group(0) not in _basename(src):
        return tag
    width, height = _WIDTH.search(tag), _HEIGHT.search(tag)
    size = (php_intval(width.group(1)), php_intval(height.group(1))) if width and height else None
    if not size or not all(size):
        size = image.src_dimensions(src)
        if not size:
            return tag
    srcset = image.srcset(size[0], size[1], src)
    if not srcset:
        return tag
    attrs = f' srcset="{esc_attr(srcset)}"'
    if " sizes=" not in tag:
        if not size[0]:
            return tag
        attrs += f' sizes="(max-width: {size[0]}px) 100vw, {size[0]}px"'
    return _IMG_END.sub(lambda match: f"<img {match.group(1)}{attrs} />", tag)


@dataclasses.dataclass(frozen=True)
class ContentImages:
    """render.filter_content_tags's filter_image hook for the attachments a text names."""

    images: tuple             # (ContentImage, ...)

    def __call__(self, tag, attachment_id):
        image = next((image for image in self.images if image.wp_id == attachment_id), None)
        if image is None:
            return tag
        try:
            if " width=" not in tag and " height=" not in tag:
                tag = add_width_and_height(tag, image)
            if " srcset=" not in tag:
                tag = add_srcset_and_sizes(tag, image)
        except (ArithmeticError, ValueError):   # sizes no float can hold: the tag as written, not a 500
            pass
        return tag


def images_for(text, attachments):
    """The hook for `text`, from {wp_id: ContentImage or None}; None when it names none of them
    (so a text without attachment images renders, and is cached, as before)."""
    found = tuple(attachments[wp_id] for wp_id in sorted(image_ids(text)) if attachments.get(wp_id))
    return ContentImages(found) if found else None
