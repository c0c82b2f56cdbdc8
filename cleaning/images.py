"""Images and their captions: recorded as metadata, removed from the body.

Captions come as `div.wp-caption` / `figure` + `figcaption` / gallery items,
or as a short plain paragraph right after an image that ends with a credit
("... (AFP Photo)"). Each form is recorded here and then cut from the tree.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import NavigableString, PageElement, Tag

from .boilerplate import TextBelow, is_gone
from .captions import CREDIT_LINE_CHARS, looks_like_credit_line, split_credit
from .models import Image
from .text import clean_inline
from .tree import Cutter, FoldedText, NearestAncestor, Subtrees

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
_NAMED_DROPS = 3  # malformed image URLs named in the warnings; the rest are counted


class ImageCollector:
    """Gathers the distinct images of one page in order."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.images: list[Image] = []
        self._by_key: dict[str, Image] = {}
        # Images whose URL does not parse ("http://[url]/...", an unreplaced
        # placeholder; a port out of range): (src as written, why).
        self.dropped: list[tuple[str, str]] = []

    @property
    def warnings(self) -> list[str]:
        """What the article's warnings say about images left out."""
        found = [f"image dropped: malformed URL {src[:200]!r} ({why})"
                 for src, why in self.dropped[:_NAMED_DROPS]]
        if len(self.dropped) > _NAMED_DROPS:
            found.append(f"{len(self.dropped) - _NAMED_DROPS} more images with malformed "
                         "URLs dropped")
        return found

    def add(self, img: Tag, caption_text: str | None, credit_text: str | None = None) -> None:
        """`credit_text`: a credit printed in its own element (caption_and_credit),
        which the caption then holds no more; else the caption's bracketed one."""
        try:
            src = image_src(img, self.base_url)
        except MalformedURL as error:
            self.dropped.append((error.url, error.reason))
            return
        if not src:
            return
        caption, credit = split_credit(clean_inline(caption_text)) if caption_text else ("", None)
        if credit_text:
            caption = clean_inline(caption_text or "")
            credit = clean_inline(credit_text)
            if credit.startswith("(") and credit.endswith(")"):  # "<small>(AFP)</small>"
                credit = credit[1:-1].strip()
            credit = credit or None
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
        listed = content.find_all(True) if tags is None else tags
        containers: list[Tag] = []
        loose: list[Tag] = []
        captions: list[Tag] = []
        for element in listed:
            if is_gone(element):
                continue
            if _is_image_or_container(element):
                (loose if element.name == "img" else containers).append(element)
            elif is_caption_text(element):
                captions.append(element)
        # Each container's subtree is searched once, not once per ancestor
        # (nested galleries, unclosed <figure>s); see tree.Subtrees.
        index = Subtrees(listed) if containers or (loose and record_within is not None) else None
        cutter = Cutter()
        outer: list[Tag] = []
        for container in containers:
            if is_gone(container):
                continue
            if index is not None and container in index:
                gallery = index.below("captioned", _is_captioned, container) > 0
            else:
                gallery = container.find(is_captioned_container) is not None
            if gallery:
                outer.append(container)  # a gallery: its items carry the captions
                continue
            wanted = record_within is None or _is_inside(container, record_within, index)
            caption, credit = caption_and_credit(container.find_all(is_caption_text), container)
            pictures = container.find_all("img")
            for img in pictures if wanted else ():
                if len(pictures) == 1:
                    self.add(img, caption, credit)
                else:
                    self.add(img, None)
            cutter.cut(container)
        for container in outer:
            if not is_gone(container):
                cutter.cut(container)
        around = _LooseImages(content, cutter)
        for img in loose:
            if is_gone(img):
                continue
            if record_within is None or _is_inside(img, record_within, index):
                self._take_loose_image(img, around)
            else:
                around.cut(img)
        # Captions and credits whose image is gone (or never was): cut unrecorded.
        below = TextBelow(listed)
        for element in captions:
            if not is_gone(element) and element is not content \
                    and not below.holds_article_text(element):
                cutter.cut(element)

    def _take_loose_image(self, img: Tag, around: _LooseImages) -> None:
        holder = around.holder(img)
        alt = clean_inline(_attr(img, "alt"))
        caption_tag: Tag | None = None
        if holder is not None:
            # The holder's folded text, when short enough to be a credit line.
            length, own_text = around.text(holder, CREDIT_LINE_CHARS)
            if length and own_text is not None and looks_like_credit_line(own_text):
                caption_tag = holder  # <p><img> Caption (Reuters)</p>
            else:
                caption_tag = around.caption_after(img, alt)
                if caption_tag is None and not length:
                    caption_tag = around.caption_after(holder, alt, ("p", "div", "span", "em"))
        else:
            caption_tag = around.caption_after(img, alt)
        caption, credit = caption_and_credit([caption_tag]) if caption_tag is not None \
            else (None, None)
        if caption is None:
            caption = alt if looks_like_credit_line(alt) else None
        self.add(img, caption, credit)
        if caption_tag is not None:
            around.cut(caption_tag)
        if not is_gone(img):
            around.cut(img)


class _LooseImages:
    """What `_take_loose_image` asks about the tree around each image, each
    answered in constant or amortised constant time as images and captions
    are cut: a page of thousands of images in one paragraph asked the same
    questions of the same paragraph thousands of times."""

    def __init__(self, content: Tag, cutter: Cutter) -> None:
        self.content = content
        self.cutter = cutter
        self._holder = NearestAncestor(lambda tag: tag.name in ("p", "div"), within=content)
        self._resume: dict[int, PageElement] = {}  # where a sibling walk stopped
        self._folded: FoldedText | None = None

    def holder(self, img: Tag) -> Tag | None:
        """The nearest <p> or <div> around the image, below `content`;
        each ancestor visited once a page."""
        return self._holder(img)

    def text(self, tag: Tag, limit: int) -> tuple[int, str | None]:
        """The length of `clean_inline(tag.get_text(" "))`, and the text if
        it is at most `limit` characters long."""
        if self._folded is None:
            self._folded = FoldedText(self.content)
        return self._folded.text(tag, limit)

    def cut(self, tag: Tag) -> None:
        if self._folded is not None:
            self._folded.cut(tag)
        self.cutter.cut(tag)

    def caption_after(self, tag: Tag, alt: str,
                      names: tuple[str, ...] = ("p", "div", "span", "em", "small")) -> Tag | None:
        """The caption printed right after an image (or after its holder): an
        element with a caption class, one ending in a credit, or one that
        repeats the image's alt text."""
        following = self.next_element_sibling(tag)
        if following is None or following.name not in names:
            return None
        if is_caption_text(following):
            return following
        same_as_alt = len(alt) >= 20
        length, text = self.text(following, max(CREDIT_LINE_CHARS, len(alt) if same_as_alt else 0))
        if text and (looks_like_credit_line(text) or (same_as_alt and text == alt)):
            return following
        return None

    def next_element_sibling(self, tag: Tag) -> Tag | None:
        """The element right after `tag` (line breaks and blank text passed
        over; None past text), the walk resumed where the last one from
        `tag` stopped: what it passed over is never cut here."""
        last: PageElement = self._resume.get(id(tag), tag)
        sibling = last.next_sibling
        while sibling is not None:
            if isinstance(sibling, Tag) and sibling.name not in _SKIPPED_SIBLINGS:
                break
            if isinstance(sibling, NavigableString) and sibling.strip():
                sibling = None
                break
            last, sibling = sibling, sibling.next_sibling
        self._resume[id(tag)] = last
        return sibling if isinstance(sibling, Tag) else None


def is_captioned_container(tag: Tag) -> bool:
    if tag.name == "figure":
        return True
    classes = tag.get("class")
    return isinstance(classes, list) and not CAPTIONED_CLASSES.isdisjoint(classes)


def _is_image_or_container(tag: Tag) -> bool:
    return tag.name == "img" or is_captioned_container(tag)


def _is_captioned(tag: Tag) -> int:
    return int(is_captioned_container(tag))


def _is_inside(tag: Tag, ancestor: Tag, index: Subtrees | None = None) -> bool:
    if index is not None and tag in index and ancestor in index:
        return index.contains(ancestor, tag)
    return any(parent is ancestor for parent in tag.parents)


# A credit in its own element inside a caption: <small>, or a class naming it
# ("credit", "photo-credit", "image__credit", "byline").
_CREDIT_CLASS_RE = re.compile(r"credit|byline", re.I)
_CREDIT_CHARS = 150  # longer, it is more of the caption, not a credit


def _is_credit_element(tag: Tag) -> bool:
    if tag.name == "small":
        return True
    classes = tag.get("class")
    return isinstance(classes, list) and any(_CREDIT_CLASS_RE.search(c) for c in classes)


def caption_and_credit(captions: list[Tag],
                       container: Tag | None = None) -> tuple[str | None, str | None]:
    """The text of a figure's captions (`captions`, in document order; one
    inside another is read with it, not twice) and the credit printed in its
    own element inside them: "<figcaption>Caption <span class="credit">Photo:
    X</span></figcaption>" is ("Caption", "Photo: X"). Without one, or when it
    is all the caption holds, the text as printed and no credit."""
    found = {id(c) for c in captions}
    outer = captions if len(captions) < 2 else [
        c for c in captions if not any(id(p) in found for p in _parents_below(c, container))]
    texts: list[str] = []
    credits: list[str] = []
    for caption in outer:
        stack = [iter(caption.children)]
        while stack:  # no recursion: a caption's elements can nest deep
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
            elif isinstance(child, Tag):
                credit = child.get_text(" ").strip() if _is_credit_element(child) else ""
                if credit and len(credit) <= _CREDIT_CHARS:
                    credits.append(credit)
                else:
                    stack.append(iter(child.children))
            elif type(child) in Tag.MAIN_CONTENT_STRING_TYPES:
                texts.append(str(child))
    text = " ".join(texts)
    if credits and text.strip():
        return text, " ".join(credits)
    return (" ".join(c.get_text(" ") for c in outer) if outer else None), None


def _parents_below(tag: Tag, container: Tag | None) -> list[Tag]:
    """`tag`'s ancestors up to `container` (left out)."""
    parents: list[Tag] = []
    for parent in tag.parents:
        if parent is container:
            break
        parents.append(parent)
    return parents


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




class MalformedURL(ValueError):  # noqa: N818 - a ValueError, named for what it is
    """An image URL that does not parse."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url!r}")
        self.url = url
        self.reason = reason


def image_src(img: Tag, base_url: str) -> str | None:
    """The image's absolute URL, None if it has none; MalformedURL if the
    one it has does not parse (the page's other images are still read)."""
    for attr in ("src", "data-src", "data-lazy-src", "data-original"):
        value = _attr(img, attr).strip()
        if value and not value.startswith("data:"):
            return _absolute(base_url, value)
    srcset = _attr(img, "srcset") or _attr(img, "data-srcset")
    first = srcset.strip().split(",")[0].split()
    if first:
        return _absolute(base_url, first[0])
    return None


def _absolute(base_url: str, value: str) -> str:
    try:
        url = urljoin(base_url, value)
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise MalformedURL(value, str(error)) from error
    return url


def image_key(src: str) -> str:
    """One photo in several sizes is one image: drop WordPress's -300x200 and the query."""
    parts = urlsplit(src)
    return urlunsplit(("", parts.netloc.lower(), _SIZE_SUFFIX_RE.sub("", parts.path), "", ""))


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""
