"""What a page says about itself: <title>, meta tags (Open Graph, Dublin
Core, PRISM, Parse.ly, Sailthru, `byl`), the canonical link, language,
JSON-LD and microdata. Read once per page; profiles fall back on it.

Precedence, for every profile that asks (`article_title`, `article_authors`,
`date_candidates`):

- title: the page's <h1> when it agrees with the headline the page declares
  (JSON-LD `headline`, og:title, <title>), except where the <h1> is that
  headline with a kicker or ticker added ("LIVE: ..."): then the declared
  headline; a declared headline loses its site suffix ("... | Site").
- authors: people first (JSON-LD, microdata, meta, then the byline's
  markup), else the organisation that is the byline (a wire agency, a house
  byline); never the publisher beside a person, an e-mail, a URL, an id.
- date: JSON-LD `datePublished`, then publication meta tags, then microdata
  and <time> in the page.
"""

from .authors import article_authors, clean_people, drop_emails, split_byline
from .head import PageMeta, date_candidates, paywall_marks, read_meta
from .jsonld import is_article_type, jsonld_types, parse_jsonld
from .page_marks import byline_texts, printed_date_texts, time_candidates, title_index
from .titles import article_title, strip_site_name, words

__all__ = ["PageMeta", "article_authors", "article_title", "byline_texts", "clean_people",
           "date_candidates", "drop_emails", "is_article_type", "jsonld_types", "paywall_marks",
           "parse_jsonld", "printed_date_texts", "read_meta", "split_byline", "strip_site_name",
           "time_candidates", "title_index", "words"]
