"""GET / and HEAD /: the site's front door, where WordPress clients discover the API.

node-wpapi's discover() and similar tools HEAD (then GET) the site URL and read
`Link: <…/wp-json/>; rel="https://api.w.org/"`. wpcompat serves no theme, so the page
is a minimal HTML document carrying the same discovery links.
"""

import html

from wpcompat import audit
from wpcompat.rest.http import REST_PREFIX


class SiteFront:
    def on_get(self, req, resp):
        site = req.context.site
        home = site.home_url(req)
        api = f"{home}{REST_PREFIX}/"
        resp.set_header("Link", f'<{api}>; rel="https://api.w.org/"')
        resp.content_type = "text/html; charset=UTF-8"
        resp.text = (f'<!DOCTYPE html>\n<html lang="{html.escape(site.language.replace("_", "-"))}">'
                     f'<head><meta charset="UTF-8"><title>{html.escape(site.name)}</title>'
                     f'<link rel="https://api.w.org/" href="{html.escape(api)}">'
                     f'<link rel="EditURI" type="application/rsd+xml" title="RSD" '
                     f'href="{html.escape(home)}/xmlrpc.php?rsd" /></head>'
                     f'<body><h1>{html.escape(site.name)}</h1><p>{html.escape(site.description)}</p>'
                     f'</body></html>\n')
        audit.record(req, "site:front", site.id)

    def on_head(self, req, resp):
        self.on_get(req, resp)
