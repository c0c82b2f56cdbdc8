"""A test site with two parser versions: the archive's Divi template, then,
from 2017-06-01, a redesign that renamed the body's container
(`entry-content` became `story-text`, as ReplicaSite(changed_template=True)
serves it). The second version overrides only what changed."""

from __future__ import annotations

from datetime import date

from sites import ParserVersion, Site
from sites.catalog.aawsat import AawsatProfile, AawsatSources

REDESIGN = date(2017, 6, 1)


class RedesignedProfile(AawsatProfile):
    version = "2"
    content_selectors = (".story-text", *AawsatProfile.content_selectors)


SITE = Site(
    name="divi-redesign",
    description="the archive's template, then its redesign (a test site)",
    base_url="http://127.0.0.1:1",
    sources=AawsatSources,
    timezone="Europe/London",
    language="en",
    parsers=(ParserVersion(date(2005, 1, 1), AawsatProfile()),
             ParserVersion(REDESIGN, RedesignedProfile())),
)
