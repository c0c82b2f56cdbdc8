"""BeautifulSoup cleaner: an article page in, a clean `Article` out."""

from .errors import ExtractionError, NotAnArticle
from .extract import (
    CLEANER_VERSION,
    Profile,
    choose_profile,
    extract_article,
)
from .models import Article, Image
from .urls import canonical_form

__all__ = [
    "CLEANER_VERSION",
    "Article",
    "ExtractionError",
    "Image",
    "NotAnArticle",
    "Profile",
    "canonical_form",
    "choose_profile",
    "extract_article",
]
