"""Reads about the registered LMS platforms that the rest of the app shares."""

from lti.models import LmsPlatform


def platform_frame_origins(platform_id):
    """The origins that may frame pages for a session launched from this platform; none once it is switched off."""
    platform = LmsPlatform.objects.active().filter(pk=platform_id).first()
    return platform.allowed_frame_origins() if platform else []


def all_frame_origins():
    """Every active platform's frame origins: the tool's own pages (log-in check, errors) are shown in any of them."""
    return sorted({origin for platform in LmsPlatform.objects.active() for origin in platform.allowed_frame_origins()})
