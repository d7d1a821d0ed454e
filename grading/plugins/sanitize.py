"""Markdown rendered for someone else is sanitised.

nbconvert's `HTMLExporter.sanitize_html` (set in nbgrader_config.py) cleans cell outputs
(text/html and text/markdown through bleach; application/javascript, widget views and
widget state dropped) and raw cells are always cleaned. But nbgrader's own templates
(`formgrade`, which the formgrader's submission view renders, and `feedback`) replace
nbconvert's markdown-cell block with one that renders `cell.source | markdown2html`
without the cleaning step, so a student's markdown cell reaches the page as raw HTML:
`<script>`, `<img onerror>`, `<svg onload>`, `<iframe srcdoc>`, and `javascript:` links,
including plain markdown links `[x](javascript:...)`, which the markdown renderer itself
emits. A preprocessor cannot fix that: it sees the markdown source, not the HTML the
renderer makes of it (bleach on markdown source also mangles `<`, `>` and `&` in math
and code spans).

SafeMarkdown2HTML is registered as the exporter's `markdown2html` Jinja filter
(`c.HTMLExporter.filters`): it renders exactly as nbconvert's filter does, then passes
the HTML through bleach with an allow-list of what markdown produces (headings,
paragraphs, lists, tables, code, images, links with http(s)/mailto/anchor targets). No
script, no event handler, no iframe/object/svg/style/form, no `javascript:` or `data:`
link; `data:` is kept only for images (embedded attachments), where it cannot run.
Math is left as text for MathJax. Both the formgrader and `nbgrader generate_feedback`
build an HTMLExporter from the course config, so one setting covers both.
"""
import html
import re

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from traitlets.config import LoggingConfigurable

HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
TAGS = frozenset(HEADINGS + [
    "p", "br", "hr", "div", "span", "blockquote", "pre", "code", "kbd", "samp",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup", "small",
    "abbr", "cite", "q", "ul", "ol", "li", "dl", "dt", "dd", "a", "img",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "details", "summary",
])
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})
IMAGE_DATA = re.compile(r"^data:image/(png|jpe?g|gif|webp|svg\+xml)[;,]")


def _normalized(url):
    """A URL as browsers read its scheme: whitespace and control characters dropped
    (bleach's protocol check reads it the same way)."""
    return re.sub(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]", "", html.unescape(url)).lower()


def _allowed(tag, name, value):
    if name in ("class", "title"):
        return True
    if name == "id":
        return tag in HEADINGS  # the renderer's anchors; ids elsewhere could shadow the page's
    if tag == "a":
        # data: only for images: a data:text/html link is a page the student wrote
        return name == "href" and not _normalized(value).startswith("data:")
    if tag == "img":
        if name == "src":
            src = _normalized(value)
            return not src.startswith("data:") or bool(IMAGE_DATA.match(src))
        return name in ("alt", "width", "height")
    if tag in ("th", "td"):
        return name in ("align", "style", "colspan", "rowspan")  # style: text-align only
    if tag == "ol":
        return name == "start"
    return False


CLEANER = bleach.Cleaner(
    tags=TAGS, attributes=_allowed, protocols=PROTOCOLS, strip=False, strip_comments=True,
    css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]))


def clean_markdown_html(rendered):
    """Rendered markdown with everything that could run removed (escaped as text)."""
    return CLEANER.clean(rendered)


class SafeMarkdown2HTML(LoggingConfigurable):
    """The HTMLExporter's `markdown2html` filter, followed by clean_markdown_html.

    Registered by class name in `c.HTMLExporter.filters`; nbconvert constructs it with
    the exporter as parent, whose own markdown2html (attachments, anchor links, math)
    does the rendering."""

    # Jinja hands the template context (the cell, for its attachments) to callables
    # marked the way @pass_context marks functions.
    jinja_pass_arg = pass_context(lambda context, source: None).jinja_pass_arg

    def __call__(self, context, source):
        return clean_markdown_html(self.parent.markdown2html(context, source))
