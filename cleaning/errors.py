"""The only exceptions `extract_article` raises."""


class ExtractionError(Exception):
    """The page cannot be read at all (empty, binary, not HTML)."""

    def __init__(self, reason: str, url: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason} ({url})" if url else reason)


class NotAnArticle(ExtractionError):  # noqa: N818 - the contract's name
    """The page is readable but is not an article (listing, attachment, ...)."""
