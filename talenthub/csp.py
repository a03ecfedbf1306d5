"""Content-Security-Policy for every response (django-csp; the policy is in settings).

The site's own pages load scripts, styles, fonts and images only from the site itself and run
no inline script. The Wagtail admin's templates still carry a few inline scripts (inline
panels, date pickers), so only under /admin/, used by trusted editors, inline scripts run.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PREFIX = "/admin/"


class SitePolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with inline scripts allowed under the Wagtail admin only."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "script-src": [UNSAFE_INLINE]}
        return parts
