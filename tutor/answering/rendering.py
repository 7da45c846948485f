"""Model output → safe HTML: Markdown, citation links, then an nh3 allowlist.

A model can be talked into writing ``<script>`` or ``<img onerror=...>`` (by a learner, or by text
it read), so its output is treated as untrusted: Markdown is rendered first (the ``markdown``
package passes raw HTML through) and nh3 then keeps only the tags and attributes below, links only
to http(s) or relative URLs. Citations "[n]" become links to the section the source came from.
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https"}  # relative URLs (our citation links) are always kept

# "[2]" that is not already Markdown link text ("[2](...)") nor a reference ("[2][x]").
_CITATION = re.compile(r"\[(\d{1,2})\](?![(\[])")


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

    html = markdown.markdown(_CITATION.sub(link, text or ""), output_format="html")
    return sanitise(html)


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
