"""The Content-Security-Policy header: strict on the site, looser on the Wagtail and Django admins.

Learner pages get ``CONTENT_SECURITY_POLICY``: scripts and styles from this site or inline with
the response's nonce (``request.csp_nonce``; base.html hands it to htmx for the styles it adds), no
inline event handlers or style attributes. The admins render inline scripts and styles of their
own, which a nonce cannot cover, so paths under ``ADMIN_CONTENT_SECURITY_POLICY["PATH_PREFIXES"]``
get its directives instead: inline code allowed, other origins still refused. Only signed-in staff
use those pages, and Wagtail's previews of learner pages are served there too.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        admin = settings.ADMIN_CONTENT_SECURITY_POLICY
        if not report_only and parts.config is None and request.path_info.startswith(tuple(admin["PATH_PREFIXES"])):
            parts.config = admin["DIRECTIVES"]
        return parts
