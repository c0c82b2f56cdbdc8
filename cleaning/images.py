"""Images and their captions: recorded as metadata, removed from the body.

Captions come as `div.wp-caption` / `figure` + `figcaption` / gallery items,
or as a short plain paragraph right after an image that ends with a credit
("... (AFP Photo)"). Each form is recorded here and then cut from the tree.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import NavigableString, Tag

from .boilerplate import holds_article_text, is_gone
from .captions import looks_like_credit_line, split_credit
from .models import Image
from .text import clean_inline

CAPTIONED_CLASSES = frozenset(
    "wp-caption wp-block-image gallery-item blocks-gallery-item gallery wp-block-gallery "
    "tiled-gallery".split()
)
CAPTION_CLASSES = frozenset(
    "wp-caption-text wp-caption-dd gallery-caption wp-element-caption".split()
)
# Any theme's caption or credit: "caption", "wf_caption", "leadMediaCaption",
# "img-description", "photo-credit", "image__credit".
_CAPTION_CLASS_RE = re.compile(
    r"caption|(?:^|[-_])(?:img|image|photo|picture|foto|bild)[-_]?(?:description|desc|text|credit|"
    r"source)|(?:^|[-_])credits?(?:$|[-_])",
    re.I,
)
_CAPTION_HINTS = ("caption", "credit", "desc", "img", "image", "photo", "picture", "foto", "bild")
_SKIPPED_SIBLINGS = frozenset(("br", "noscript", "source"))
_SIZE_SUFFIX_RE = re.compile(r"-\d{2,5}x\d{2,5}(?=\.\w{3,4}$)")
_MIN_ALT_WORDS = 4


class ImageCollector:
    """Gathers the distinct images of one page in order."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.images: list[Image] = []
        self._by_key: dict[str, Image] = {}

    def add(self, img: Tag, caption_text: str | None) -> None:
        src = image_src(img, self.base_url)
        if not src:
            return
        caption, credit = split_credit(clean_inline(caption_text)) if caption_text else ("", None)
        key = image_key(src)
        known = self._by_key.get(key)
        if known is not None:
            # The same photo twice (featured + in body): keep one entry, fill gaps.
            known.caption = known.caption or caption or None
            known.credit = known.credit or credit
            return
        image = Image(src=src, caption=caption or None, credit=credit)
        self._by_key[key] = image
        self.images.append(image)

    def add_featured(self, img: Tag) -> None:
        """A featured image's alt text is often its caption; a file name is not."""
        alt = clean_inline(_attr(img, "alt"))
        self.add(img, alt if len(alt.split()) >= _MIN_ALT_WORDS else None)

    def take_from(self, content: Tag, record_within: Tag | None = None,
                  tags: list[Tag] | None = None) -> None:
        """Record the images of `content` and cut every caption form out of it.

        With `record_within`, images outside that element (teasers, logos) are
        cut without being recorded. `tags`: every tag of `content` in
        document order, when the caller has them listed already.
        """
        containers: list[Tag] = []
        loose: list[Tag] = []
        captions: list[Tag] = []
        for element in content.find_all(True) if tags is None else tags:
            if is_gone(element):
                continue
            if _is_image_or_container(element):
                (loose if element.name == "img" else containers).append(element)
            elif is_caption_text(element):
                captions.append(element)
        outer: list[Tag] = []
        for container in containers:
            if is_gone(container):
                continue
            if container.find(is_captioned_container) is not None:
                outer.append(container)  # a gallery: its items carry the captions
                continue
            wanted = record_within is None or _is_inside(container, record_within)
            captions = container.find_all(is_caption_text)
            caption = " ".join(c.get_text(" ") for c in captions) if captions else None
            pictures = container.find_all("img")
            for img in pictures if wanted else ():
                self.add(img, caption if len(pictures) == 1 else None)
            container.decompose()
        for container in outer:
            if not is_gone(container):
                container.decompose()
        for img in loose:
            if is_gone(img):
                continue
            if record_within is None or _is_inside(img, record_within):
                self._take_loose_image(img, content)
            else:
                img.decompose()
        # Captions and credits whose image is gone (or never was): cut unrecorded.
        for element in captions:
            if not is_gone(element) and element is not content \
                    and not holds_article_text(element):
                element.decompose()

    def _take_loose_image(self, img: Tag, content: Tag) -> None:
        holder = _enclosing_paragraph(img, content)
        alt = clean_inline(_attr(img, "alt"))
        caption_tag: Tag | None = None
        if holder is not None:
            own_text = clean_inline(holder.get_text(" "))
            if own_text and looks_like_credit_line(own_text):
                caption_tag = holder  # <p><img> Caption (Reuters)</p>
            else:
                caption_tag = _caption_after(img, alt)
                if caption_tag is None and not own_text:
                    caption_tag = _caption_after(holder, alt, ("p", "div", "span", "em"))
        else:
            caption_tag = _caption_after(img, alt)
        caption = caption_tag.get_text(" ") if caption_tag is not None else None
        if caption is None:
            caption = alt if looks_like_credit_line(alt) else None
        self.add(img, caption)
        if caption_tag is not None:
            caption_tag.decompose()
        if not is_gone(img):
            img.decompose()


def is_captioned_container(tag: Tag) -> bool:
    if tag.name == "figure":
        return True
    classes = tag.get("class")
    return isinstance(classes, list) and not CAPTIONED_CLASSES.isdisjoint(classes)


def _is_image_or_container(tag: Tag) -> bool:
    return tag.name == "img" or is_captioned_container(tag)


def _is_inside(tag: Tag, ancestor: Tag) -> bool:
    return any(parent is ancestor for parent in tag.parents)


def is_caption_text(tag: Tag) -> bool:
    if tag.name == "figcaption":
        return True
    classes = tag.get("class")
    if not isinstance(classes, list) or not classes:
        return False
    if not CAPTION_CLASSES.isdisjoint(classes):
        return True
    joined = " ".join(classes).lower()
    if not any(hint in joined for hint in _CAPTION_HINTS):
        return False
    return tag.name not in ("body", "article", "main") and not is_captioned_container(tag) \
        and any(_CAPTION_CLASS_RE.search(c) for c in classes)


def _caption_after(tag: Tag, alt: str,
                   names: tuple[str, ...] = ("p", "div", "span", "em", "small")) -> Tag | None:
    """The caption printed right after an image (or after its holder): an
    element with a caption class, one ending in a credit, or one that repeats
    the image's alt text."""
    following = _next_element_sibling(tag)
    if following is None or following.name not in names:
        return None
    if is_caption_text(following):
        return following
    text = clean_inline(following.get_text(" "))
    if text and (looks_like_credit_line(text) or (len(alt) >= 20 and text == alt)):
        return following
    return None


def image_src(img: Tag, base_url: str) -> str | None:
    for attr in ("src", "data-src", "data-lazy-src", "data-original"):
        value = _attr(img, attr).strip()
        if value and not value.startswith("data:"):
            return urljoin(base_url, value)
    srcset = _attr(img, "srcset") or _attr(img, "data-srcset")
    if srcset.strip():
        return urljoin(base_url, srcset.strip().split(",")[0].split()[0])
    return None


def image_key(src: str) -> str:
    """One photo in several sizes is one image: drop WordPress's -300x200 and the query."""
    parts = urlsplit(src)
    return urlunsplit(("", parts.netloc.lower(), _SIZE_SUFFIX_RE.sub("", parts.path), "", ""))


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def _enclosing_paragraph(img: Tag, stop: Tag) -> Tag | None:
    parent = img.parent
    while parent is not None and parent is not stop:
        if parent.name in ("p", "div"):
            return parent
        parent = parent.parent
    return None


def _next_element_sibling(tag: Tag) -> Tag | None:
    sibling = tag.next_sibling
    while sibling is not None:
        if isinstance(sibling, Tag) and sibling.name not in _SKIPPED_SIBLINGS:
            return sibling
        if isinstance(sibling, NavigableString) and sibling.strip():
            return None
        sibling = sibling.next_sibling
    return None
