"""BeautifulSoup cleaner: an article page in, a clean `Article` out."""

from .errors import ExtractionError, NotAnArticle
from .extract import (
    CLEANER_VERSION,
    PROFILES,
    SITES,
    Profile,
    choose_profile,
    extract_article,
)
from .models import Article, Image
from .urls import canonical_form

__all__ = [
    "CLEANER_VERSION",
    "PROFILES",
    "SITES",
    "Article",
    "ExtractionError",
    "Image",
    "NotAnArticle",
    "Profile",
    "canonical_form",
    "choose_profile",
    "extract_article",
]
