"""The generic profile: any news page (profile.GenericProfile), with the
parts it is built of: trafilatura's main text (main_text), our own view of
its container (completion) and listing pages told from articles (listings)."""

from .profile import GenericProfile

__all__ = ["GenericProfile"]
