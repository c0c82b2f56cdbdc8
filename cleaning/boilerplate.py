"""Removing what is never article text from a content element.

By structure first: non-text elements, the classes and ids that sharing,
follow, related-post, comment, newsletter and ad plugins give their blocks.
Then by text: the few lines those plugins print whatever their markup
("Sharing is caring!", "0 shares", "This slideshow requires JavaScript.",
"Advert", "12 comments"), checked on every body block.

One pass over the tree with set and regex look-ups: CSS selectors through
soupsieve cost more than the parse itself on a large page.
"""

from __future__ import annotations

import re

from bs4 import Tag

from .tree import Cutter, NearestAncestor, Subtrees
from .tree import is_gone as is_gone  # re-exported: the profiles read it from here

# Elements that hold no reader-visible article text.
NON_TEXT_TAGS = frozenset(
    "script style noscript template iframe object embed form button input select textarea "
    "svg canvas link meta map audio video picture source".split()
)

# Plugin and theme blocks that sit inside or right after the content of a post:
# sharing (Jetpack, AddToAny, Divi), related posts, comments, ads, hidden text.
BOILERPLATE_CLASSES = frozenset(
    "sharedaddy sd-sharing-enabled sd-like jetpack-likes-widget-wrapper jp-relatedposts "
    "yarpp-related related-posts crp_related addtoany_share_save_container a2a_kit "
    "et_social_inline social-share share-buttons sharing comments-area comment-respond "
    "screen-reader-text sr-only adsbygoogle instagram-media "
    "post-navigation nav-links wp-block-buttons fb-comments".split()
)
BOILERPLATE_IDS = frozenset("jp-relatedposts comments comment-wrap respond".split())
# Custom elements that only a widget's script fills: Facebook's comment counter.
WIDGET_TAGS = frozenset("comments-count fb:comments-count fb:like fb:share-button".split())
# A word of a class or id (between "-" and "_") that names a plugin's block:
# "dpsp-share-text", "social-icons", "follow-us", "related-articles",
# "post-tags", "newsletter-signup", "ad-slot", "jetpack-slideshow-noscript".
# Captions and credits are not here: images.ImageCollector records them first.
_FURNITURE_WORD_RE = re.compile(
    r"(?:^|[-_])(?:share|shares|sharing|sharer|sharethis|shareaholic|sharebar|social|socials|"
    r"follow|dpsp|addtoany|a2a|shariff|ssba|heateor|mashsb|swp|related|relatedposts|yarpp|crp|"
    r"newsletter|subscribe|advert|advertisement|adsense|adslot|ad|ads|dfp|sponsored|outbrain|"
    r"taboola|comments|disqus|tags|breadcrumb|breadcrumbs|noscript|cookie|cookies|consent|gdpr|"
    r"cmp|onetrust)(?:$|[-_])",
    re.I,
)
_NEVER_FURNITURE = frozenset("html body article main".split())
# Embeds whose text is the quoted post (a tweet) stay; the rest are players.
_EMBED_CLASS = "wp-block-embed"

# A form or a `hidden` element whose paragraphs hold this much text is the
# article itself: a page-wide ASP.NET <form>, a Next.js streamed
# `<div hidden id="S:0">` or a paywall's `div[hidden]` that a script reveals.
# Menus, dialogs, search, comment and newsletter forms hold far less.
ARTICLE_TEXT_CHARS = 400
_ARTICLE_MARKS = ("article", "main", "h1")
_STREAMED_ID_RE = re.compile(r"^S:\d+$")  # React's streamed Suspense boundary


def holds_article_text(element: Tag) -> bool:
    """Whether `element`'s paragraphs hold ARTICLE_TEXT_CHARS of text."""
    total = 0
    for paragraph in element.find_all("p"):
        total += len(paragraph.get_text())
        if total >= ARTICLE_TEXT_CHARS:
            return True
    return False


def _paragraph_chars(tag: Tag) -> int:
    return len(tag.get_text()) if tag.name == "p" else 0


class TextBelow:
    """`holds_article_text` and the searches below an element that
    `is_boilerplate` makes, for every element of one pass over `tags` in
    document order (see tree.Subtrees): nested `<div hidden>`s, forms or
    plugin blocks are each searched once, not once per ancestor."""

    def __init__(self, tags: list[Tag]) -> None:
        self._tags = tags
        self._index: Subtrees | None = None

    def _listed(self, element: Tag) -> Subtrees | None:
        if self._index is None:
            self._index = Subtrees(self._tags)  # when first asked: most pages never ask
        return self._index if element in self._index else None

    def holds_article_text(self, element: Tag) -> bool:
        index = self._listed(element)
        if index is None:
            return holds_article_text(element)
        return index.below("p", _paragraph_chars, element) >= ARTICLE_TEXT_CHARS

    def has(self, element: Tag, names: tuple[str, ...]) -> bool:
        """Whether `element.find(names)` finds a descendant."""
        index = self._listed(element)
        if index is None:
            return element.find(names) is not None
        return index.below(" ".join(names), lambda tag: int(tag.name in names), element) > 0


def names_furniture(value: object) -> bool:
    """Whether a class list or id names a plugin's block (see _FURNITURE_WORD_RE)."""
    if isinstance(value, str):
        return bool(_FURNITURE_WORD_RE.search(value))
    if isinstance(value, list):
        return any(_FURNITURE_WORD_RE.search(word) for word in value)
    return False


def is_boilerplate(element: Tag, below: TextBelow | None = None) -> bool:
    """Whether `element` is never article text. `below`: the pass's index
    of what lies below each element (strip_boilerplate), if any."""
    holds_text = below.holds_article_text if below is not None else holds_article_text
    name = element.name
    if name in NON_TEXT_TAGS:
        if name == "form" and (_has(element, _ARTICLE_MARKS, below) or holds_text(element)):
            element.name = "div"  # the page's content inside a page-wide form: kept
            return False
        return True
    if name in WIDGET_TAGS:
        return True
    attrs = element.attrs
    if not attrs:
        return False
    if "hidden" in attrs:
        element_id = attrs.get("id")
        if (isinstance(element_id, str) and _STREAMED_ID_RE.match(element_id)) \
                or holds_text(element):
            del element["hidden"]  # hidden only until a script runs
            return False
        return True
    classes = attrs.get("class")
    if classes and not BOILERPLATE_CLASSES.isdisjoint(classes):
        return True
    if classes and _EMBED_CLASS in classes:
        return not _has(element, ("blockquote",), below)
    if attrs.get("id") in BOILERPLATE_IDS:
        return True
    if name in _NEVER_FURNITURE:
        return False
    return (names_furniture(classes) or names_furniture(attrs.get("id"))) \
        and not holds_text(element)


def _has(element: Tag, names: tuple[str, ...], below: TextBelow | None) -> bool:
    return below.has(element, names) if below is not None else element.find(names) is not None


def strip_boilerplate(root: Tag, tags: list[Tag] | None = None) -> None:
    """Cut non-text elements and plugin blocks out of `root`, in one pass
    (over `tags`, every tag of `root` in document order, when given)."""
    listed = root.find_all(True) if tags is None else tags
    below = TextBelow(listed)
    cutter = Cutter()
    for element in listed:
        if not is_gone(element) and is_boilerplate(element, below):
            cutter.cut(element)


# --- by text --------------------------------------------------------------------------------
# Whole blocks that plugins and widgets print, in any markup.
_FURNITURE_LINE_RE = re.compile(
    r"^(?:sharing is caring[!.]?|share(?: this(?: article| story| post| page)?)?[:!]?|"
    r"[\d.,]+\s*k?\s*(?:shares?|comments?)|shares?|comments?|"
    r"advert|adverts|advertisement|advertisements|anzeige|publicidade|publicidad|publicité|"
    r"sponsored(?: content)?|this slideshow requires javascript\.?|loading\s*\.*|"
    r"leave a (?:comment|reply)|tell us what you think\W*|you may also like\W*|"
    r"related(?: posts| articles| stories| content)?:?|more on this(?: story)?:?|"
    r"follow us(?: on \w+)?[:!]?|like this:?|click to share.*|print(?: this)?(?: article)?)$",
    re.I,
)
# "Related: <headline>", "SEE MORE: <headline>": a pointer to another page.
_POINTER_RE = re.compile(
    r"^(?:related|see more|see also|read more|read also|also read|more|don'?t miss|"
    r"recommended|watch|listen|must read)\s*:\s*\S", re.I,
)
# "Follow @site on Twitter ...", "Subscribe to our newsletter ...".
_PROMO_RE = re.compile(
    r"^(?:follow\b.*\b(?:twitter|facebook|instagram|linkedin|youtube|tiktok)\b|follow @\w+|"
    r"(?:subscribe|sign up|signup|register|join)\b.*\bnewsletters?\b)", re.I,
)
_BIO_FOLLOW_RE = re.compile(
    r"(?:^|[.!?]\s)follow (?:him|her|them|us|me)\b[^.!?]*\b(?:twitter|facebook|instagram)\b"
    r"[^.!?]*[.!?]?\s*$", re.I,
)
_CREDIT_MARK_RE = re.compile(r"©|\(c\)\s*\d{4}|^(?:photo|photograph|image|picture|foto|bild)s?"
                             r"(?:\s+credit)?\s*:", re.I)
_CREDIT_CHARS = 200
_LINE_CHARS = 80  # the longest of _FURNITURE_LINE_RE's lines, and then some
_SHORT = 300  # characters: promotional lines are short; prose that mentions them is not


def is_furniture_text(block: str) -> bool:
    """Whether a body block is a line that a plugin or widget prints."""
    size = len(block)
    if size > _SHORT * 2:
        return False
    if size <= _LINE_CHARS and _FURNITURE_LINE_RE.match(block):
        return True
    if size <= _SHORT and (_POINTER_RE.match(block) or _PROMO_RE.match(block)):
        return True
    if size <= _CREDIT_CHARS and _CREDIT_MARK_RE.search(block):
        return True  # "photos © Inexhibit, 2018", "Photo: Reuters": a credit line
    return "ollow" in block and bool(_BIO_FOLLOW_RE.search(block))


def drop_furniture_text(blocks: list[str]) -> list[str]:
    return [b for b in blocks if not is_furniture_text(b)]


# --- pages that are not the article: a script's shell, a paywall, a consent wall ----------
# A verb's ending is at most 40 letters ("habilitado", "ative", "abilitare"):
# `\w+` read every "habilit" of one long word to the word's end (quadratic).
_JS_REQUIRED_RE = re.compile(
    r"enable javascript|javascript (?:is )?(?:required|disabled|must be enabled|needs to be "
    r"enabled)|requires? javascript|turn on javascript|activate javascript|javascript to run|"
    r"javascript aktivieren|activer (?:le )?javascript|habilit\w{1,40} (?:o |el )?javascript|"
    r"ativ\w{1,40} (?:o )?javascript|abilita\w{0,40} javascript",
    re.I,
)
_APP_ROOT_IDS = frozenset("root app __next __nuxt ___gatsby svelte main-app".split())
_APP_ROOT_TAGS = frozenset("app-root".split())
_PAYWALL_TEXT_RE = re.compile(
    r"(?:subscribe|sign up|log ?in|sign in|register) (?:now |today )?to (?:continue|keep) "
    r"reading|to (?:continue|keep) reading,? (?:please )?(?:subscribe|log ?in|sign in|register)|"
    r"continue reading (?:your|this) article with|subscribe to unlock|unlock this article|"
    r"(?:this|the) (?:article|story|content) is (?:only )?(?:for|available (?:only )?to|"
    r"reserved for|exclusive(?:ly)? for) (?:paying |our )?(?:subscribers|members)|"
    r"for subscribers only|subscribers only content|"
    r"nur für abonnenten|réservé aux abonnés|exclusivo para assinantes|"
    r"solo para suscriptores|riservato agli abbonati",
    re.I,
)
_CONSENT_MARKS_RE = re.compile(
    r"onetrust|cookiebot|cybotcookiebot|qc-cmp|sp_message|didomi|usercentrics|truste|"
    r"(?:^|[-_\s])(?:cmp|gdpr|consent|cookie|cookies)(?:$|[-_\s])",
    re.I,
)
_CONSENT_TEXT_RE = re.compile(
    r"cookies?|consent|privacy (?:settings|choices|options|preferences)|accept all|reject all|"
    r"agree and (?:continue|proceed)|before you continue|legitimate interests?|"
    r"personali[sz]ed (?:ads|advertising|content)|our partners|zustimm|einwilligung|"
    r"alle akzeptieren|datenschutz|tout accepter|consentement|aceptar todo|aceitar",
    re.I,
)
SHELL_WORDS = 40  # a body this short on a page built by a script: the text never arrived
# A body this short behind a paywall is its teaser, not the article. Longer
# teasers (a paragraph or two: 88 words on the benchmark's WSJ page, which
# its truth counts as the article) are kept as the article.
TEASER_WORDS = 50
CONSENT_WORDS = 150  # a body this short, about cookies, on a page about consent
_WORD_RE = re.compile(r"\w+")


class _ShortText:
    """Whether `len(tag.get_text(" ", strip=True)) < limit`, from sums over
    the page's strings (tree.Subtrees): the stripped strings' lengths and
    how many there are (joined by one space each)."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self._index: Subtrees | None = None

    def __call__(self, tag: Tag, limit: int) -> bool:
        if self._index is None:
            self._index = Subtrees(self.tags)
        if tag not in self._index or tag.interesting_string_types not in (
                None, Tag.MAIN_CONTENT_STRING_TYPES):
            return len(tag.get_text(" ", strip=True)) < limit
        chars = _stripped_chars(tag) + self._index.below("stripped chars", _stripped_chars, tag)
        count = _stripped_count(tag) + self._index.below("stripped count", _stripped_count, tag)
        return chars + max(count - 1, 0) < limit


def _own_strings(tag: Tag) -> list[str]:
    return [text for child in tag.contents
            if type(child) in Tag.MAIN_CONTENT_STRING_TYPES and (text := str(child).strip())]


def _stripped_chars(tag: Tag) -> int:
    return sum(map(len, _own_strings(tag)))


def _stripped_count(tag: Tag) -> int:
    return len(_own_strings(tag))


class WallSignals:
    """What a page says, before any cleaning, about being a script's shell,
    a paywall or a consent wall. Gathered from the page's tags before the
    body's cleaning cuts them; searched only when the body turns out short."""

    def __init__(self, tags: list[Tag], meta_values: list[object]) -> None:
        self.noscript: list[str] = []  # what <noscript> says
        self.app_root = False  # an empty mount point of a script-built page
        # Declared (JSON-LD or microdata isAccessibleForFree, article:content_tier),
        # or printed ("Subscribe to continue reading"); a theme's "paywall" classes
        # are not enough: login widgets carry them on free pages too.
        self.declared_paywall = any(str(v).strip().lower() in ("false", "locked")
                                    for v in meta_values)
        marks: list[str] = []
        # A <noscript> inside another says nothing its outer one does not say.
        in_noscript = NearestAncestor(lambda tag: tag.name == "noscript")
        short = _ShortText(tags)
        for tag in tags:
            name = tag.name
            if name == "noscript":
                if in_noscript(tag) is None:
                    self.noscript.append(tag.get_text(" "))
                continue
            attrs = tag.attrs
            if not attrs:
                if name in _APP_ROOT_TAGS and not self.app_root and short(tag, 200):
                    self.app_root = True
                continue
            element_id = attrs.get("id")
            if (name in _APP_ROOT_TAGS or element_id in _APP_ROOT_IDS) and not self.app_root \
                    and short(tag, 200):
                self.app_root = True
            classes = attrs.get("class")
            if classes:
                marks.extend(classes)
            if isinstance(element_id, str):
                marks.append(element_id)
        self.marks = " ".join(marks)
        body = next((t for t in tags if t.name == "body"), None)
        self.text = body.get_text(" ") if body is not None else ""

    def js_note(self) -> bool:
        """A <noscript>, or a page with next to no text, asking for JavaScript."""
        return any(_JS_REQUIRED_RE.search(note) for note in self.noscript) or (
            len(_WORD_RE.findall(self.text)) < 200 and bool(_JS_REQUIRED_RE.search(self.text)))

    def paywall(self) -> bool:
        return self.declared_paywall or bool(_PAYWALL_TEXT_RE.search(self.text))

    def consent(self) -> bool:
        return bool(_CONSENT_MARKS_RE.search(self.marks))

    def wall(self, blocks: list[str]) -> str | None:
        """Why a page whose body came to `blocks` is not the article, if it is not."""
        words = len(_WORD_RE.findall(" ".join(blocks)))
        if words >= max(SHELL_WORDS, CONSENT_WORDS, TEASER_WORDS):
            return None
        if words < SHELL_WORDS and (self.app_root or self.js_note()):
            return "js_required: the page is a script's shell; its text arrives by script"
        if words < CONSENT_WORDS and self.consent() and self._about_consent(blocks):
            return "consent_wall: the page asks for cookie consent before showing the article"
        if words < TEASER_WORDS and self.paywall():
            return f"paywalled: only a teaser of {words} words is on the page"
        return None

    def _about_consent(self, blocks: list[str]) -> bool:
        """The page's text, and the body if any, speak of consent."""
        if len(_CONSENT_TEXT_RE.findall(self.text)) < 3:
            return False
        if not blocks:
            return True
        about = sum(len(b) for b in blocks if _CONSENT_TEXT_RE.search(b))
        return about >= 0.3 * sum(len(b) for b in blocks)
