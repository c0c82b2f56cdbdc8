"""Parameter types the flows share."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sites import AUTO, shipped
from sites.registry import EXTRA_MODULES_VARIABLE


def _site_parameter_help() -> str:
    # The catalog's sites only: a user's own module (ARCHIVE_SITE_MODULES) may
    # import `sites` itself, so it is not loaded while the flows are imported.
    sites = shipped().values()
    return (f"A site of the sites file, a registered site "
            f"({', '.join(s.name for s in sites if not s.is_profile)}), a site module of "
            f"${EXTRA_MODULES_VARIABLE}, or a profile "
            f"({', '.join([AUTO, *(s.name for s in sites if s.is_profile)])}), which needs "
            "base_url.")


# The flows' `site` parameter: any name the `--site` rule takes (a sites
# file's names are known only where the flow runs), described from the registry.
SiteParameter = Annotated[str, Field(description=_site_parameter_help(), min_length=1)]
