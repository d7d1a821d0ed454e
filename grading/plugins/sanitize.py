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
Both the formgrader and `nbgrader generate_feedback` build an HTMLExporter from the
course config, so one setting covers both.

Math becomes MathML when the page is exported, so it shows with no script and no network
(every current browser renders MathML Core). nbconvert's markdown parser already tells
math from code: `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` and `\\begin{env}...\\end{env}`
become math tokens, while `$` in code spans and code blocks stays code. MathRenderer,
nbconvert's renderer otherwise, turns each formula into a placeholder, a word holding a
random nonce (which the markdown's author cannot know, so cannot forge), and bleach cleans
the HTML without ever seeing MathML: a student's own `<math>` markup stays escaped text.
Formulas.restore then puts each formula back: in text, as the MathML that latex2mathml
builds, re-serialised by to_mathml from its element tree with an allow-list of its own
(MathML elements only; presentation attributes with plain values and bounded lengths; no
href, style, class, id or event handler; all text escaped); inside an attribute (a
heading's id, an image's alt), as the escaped TeX. A formula that cannot be converted
shows as its TeX in a <code> element.

Bounded: bleach's HTML parser (html5lib) is quadratic in how deeply elements nest (80 KB
of nested <div>s took 4 s, 160 KB over 15 s), and highlighting then cleaning code costs
about 0.1 s per KB of it. So every piece of a notebook the page renders (a markdown cell,
a code cell, an output's HTML) is measured first, in linear time (its size, and an upper
estimate of its nesting, `nesting`), and one past the bounds below is replaced by a short
notice; the page as a whole renders at most PAGE_CHARS of such pieces. The filters that
do it (markdown2html, highlight_code, clean_html) are set in the course's
`c.HTMLExporter.filters`, so the formgrader's submission view is bounded alike.
`unshown` lists what a notebook's page will not show, for the instructor's report.
"""
import functools
import html
import re
import secrets

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from latex2mathml.converter import convert_to_element
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import clean_html as nbconvert_clean_html
from traitlets.config import LoggingConfigurable

from .findings import cell_label

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


# ---------------------------------------------------------------------------------------
# Bounds: what one page renders of a student's notebook

MAX_MARKDOWN_CHARS = 50_000   # a markdown cell's source (honest ones: a few KB)
MAX_CODE_CHARS = 20_000       # a code cell's source (highlighting expands it tenfold)
MAX_HTML_CHARS = 300_000      # HTML to clean (outputs are cut at 200,000 while they run)
MAX_NESTING = 100             # elements inside elements (the notebook's own: under 15)
PAGE_CHARS = 2_000_000        # all pieces of one page together
SHOWN_HEAD = 2_000            # of an oversized code cell, the start is shown as text

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
CLOSED_BY_SIBLING = frozenset("p li dt dd tr td th option".split())  # <p>a<p>b: siblings
TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")


def nesting(text, limit=MAX_NESTING):
    """How deeply the elements of an HTML text nest, estimated from above in linear time
    (start tags less the end tags that close one of them), counted up to limit + 1."""
    stack, deepest = [], 0
    for match in TAG_START.finditer(text):
        closing, name = match[1], match[2].lower()
        if closing:
            if name in stack:  # the stack never holds more than limit + 1 names
                del stack[len(stack) - 1 - stack[::-1].index(name):]
        elif name not in VOID:
            if name in CLOSED_BY_SIBLING and stack and stack[-1] == name:
                stack.pop()
            stack.append(name)
            deepest = max(deepest, len(stack))
            if deepest > limit:
                break
    return deepest


def too_much(text, what, max_chars, html=True):
    """Why `text` (a `what`) is not rendered, or None when it is within the bounds."""
    if len(text) > max_chars:
        return f"{what} of {len(text) // 1000} KB (more than {max_chars // 1000} KB)"
    if html and nesting(text) > MAX_NESTING:
        return f"{what} with elements nested more than {MAX_NESTING} deep"
    return None


def notice(reason):
    # div and em: tags that nbconvert's clean_html, which may come after, keeps
    return (f'<div class="not-shown"><em>[{html.escape(reason, quote=False)}: not shown on this '
            "page; the notebook holds it]</em></div>")


def _spend(context, chars):
    """Counts what a page renders; False once the page has rendered PAGE_CHARS."""
    resources = context.get("resources") if context is not None else None
    if not isinstance(resources, dict):
        return True
    spent = resources["grading_rendered_chars"] = resources.get("grading_rendered_chars", 0) + chars
    return spent <= PAGE_CHARS


PAGE_FULL = f"more than the page shows ({PAGE_CHARS // 1_000_000} MB in all)"


@pass_context
def bounded_clean_html(context, text):
    """nbconvert's clean_html (outputs' HTML, and the template's second pass over rendered
    markdown and highlighted code), on HTML within the bounds only."""
    text = text.decode() if isinstance(text, bytes) else str(text)
    reason = too_much(text, "HTML", MAX_HTML_CHARS)
    if reason is None and not _spend(context, len(text)):
        reason = PAGE_FULL
    return notice(reason) if reason else nbconvert_clean_html(text)


class BoundedHighlight2HTML(Highlight2HTML):
    """The exporter's highlight_code filter, on code within MAX_CODE_CHARS: of a larger
    cell, a notice and its first SHOWN_HEAD characters as plain text."""

    jinja_pass_arg = pass_context(lambda context, source: None).jinja_pass_arg

    def __call__(self, context, source, language=None, metadata=None):
        if not language:  # the notebook's language, as HTMLExporter gives its own filter
            info = context.get("nb", {}).get("metadata", {}).get("language_info", {})
            language = info.get("pygments_lexer", info.get("name")) or self.pygments_lexer
        reason = too_much(source, "code cell", MAX_CODE_CHARS, html=False)
        if reason is None and not _spend(context, len(source)):
            reason = PAGE_FULL
        if reason:
            return (notice(reason) + '<pre class="not-shown">'
                    + html.escape(source[:SHOWN_HEAD], quote=False) + "\n...</pre>")
        return super().__call__(source, language, metadata)


def unshown(nb):
    """[reason] for each piece of the notebook its page will not show (the same bounds as
    the filters; the page's total aside)."""
    reasons = []
    for index, cell in enumerate(nb.cells):
        pieces = []
        if cell.cell_type == "markdown":
            pieces.append((cell.source, "markdown", MAX_MARKDOWN_CHARS, True))
        elif cell.cell_type == "code":
            pieces.append((cell.source, "code", MAX_CODE_CHARS, False))
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                for mime, limit in (("text/html", MAX_HTML_CHARS), ("text/markdown", MAX_MARKDOWN_CHARS)):
                    if isinstance(data.get(mime), str):
                        pieces.append((data[mime], f"{mime} output", limit, True))
        for text, what, limit, is_html in pieces:
            reason = too_much(text, what, limit, is_html)
            if reason:
                reasons.append(f"{cell_label(cell, index)}: {reason}, shown as a notice in the "
                               "feedback and the formgrader")
    return reasons


# ---------------------------------------------------------------------------------------
# Math as MathML

MAX_TEX = 4000  # longer formulas are shown as TeX (conversion time grows with length)
MAX_DEPTH = 60  # deeper element trees are shown as TeX (nesting multiplies offsets)

# MathML Core's presentation elements, and those latex2mathml makes that browsers treat as
# an mrow (menclose). Not: annotation-xml (an HTML integration point), mglyph (src),
# maction, or anything of HTML's.
MATHML_ELEMENTS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom",
    "merror", "mtable", "mtr", "mtd", "menclose",
})
MATHML_TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext"})
# Attributes kept, and what their values may be. Lengths are bounded (MAX_EM) so that no
# formula can draw over the page around it; voffset (moves content, unbounded when nested)
# is dropped.
WORD = re.compile(r"^[A-Za-z][A-Za-z0-9\- ]{0,80}$")
COLOR = re.compile(r"^(#[0-9A-Fa-f]{3,8}|[A-Za-z]{1,30})$")
INTEGER = re.compile(r"^[+-]?\d{1,2}$")
LENGTHS = frozenset({"width", "height", "depth", "lspace", "rspace", "minsize", "maxsize",
                     "mathsize", "linethickness", "rowspacing", "columnspacing"})
WORDS = frozenset({"mathvariant", "displaystyle", "stretchy", "fence", "separator", "form",
                   "accent", "accentunder", "largeop", "movablelimits", "symmetric",
                   "notation", "columnalign", "rowalign", "columnlines", "rowlines", "frame",
                   "linebreak", "encoding"})
LENGTH = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(em|ex|mu|pt|px|%|cm|mm|in|)$")
EM_PER_UNIT = {"em": 1, "ex": 0.5, "mu": 1 / 18, "pt": 0.1, "px": 1 / 16, "%": 0.01,
               "cm": 2.4, "mm": 0.24, "in": 6, "": 1}
MAX_EM = 10
UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]")


class ConversionError(ValueError):
    """A formula that latex2mathml cannot convert, or whose MathML is not allowed."""


# MathML 3's named spaces, which MathML Core (what browsers render) reads no more.
NAMED_SPACES = {f"{sign}{name}mathspace": f"{'-' if sign else ''}{eighteenths / 18:.3f}em"
                for eighteenths, name in enumerate(
                    ["veryverythin", "verythin", "thin", "medium", "thick", "verythick",
                     "veryverythick"], start=1)
                for sign in ("", "negative")}


def _length(value):
    """A length attribute's value as browsers read it (`mu` and named spaces in em), or
    None when it is not a plain length or reaches further than MAX_EM."""
    words = value.split()
    if not 1 <= len(words) <= 20:
        return None
    lengths = []
    for word in words:
        match = LENGTH.match(NAMED_SPACES.get(word, word))
        if not match:
            return None
        number, unit = float(match[1]), match[2]
        if abs(number * EM_PER_UNIT[unit]) > MAX_EM:
            return None
        lengths.append(f"{number / 18:.3f}em" if unit == "mu" else match[0])
    return " ".join(lengths)


def _attribute(tag, name, value):
    """The value to write for an attribute of latex2mathml's, or None to drop it."""
    if name == "display":
        ok = tag == "math" and value in ("block", "inline")
    elif name in LENGTHS:
        return _length(value)
    elif name in ("mathcolor", "mathbackground"):
        ok = bool(COLOR.match(value))
    elif name == "scriptlevel":
        ok = bool(INTEGER.match(value))
    elif name in ("columnspan", "rowspan"):
        ok = value.isdigit() and 0 < int(value) < 100
    else:
        ok = name in WORDS and bool(WORD.match(value))
    return value if ok else None


def _serialise(element, out, depth):
    tag = element.tag
    if tag not in MATHML_ELEMENTS:
        raise ConversionError(f"<{tag}> is not an allowed MathML element")
    if depth > MAX_DEPTH:
        raise ConversionError("the formula nests too deeply")
    text = html.unescape(element.text or "")  # latex2mathml writes entities as text
    if tag in MATHML_TOKENS and UNKNOWN_COMMAND.search(text):
        raise ConversionError(f"unknown command {text!r}")
    out.append(f"<{tag}")
    for name, value in element.attrib.items():
        value = _attribute(tag, name, value)
        if value is not None:
            out.append(f' {name}="{html.escape(value, quote=True)}"')
    out.append(">")
    out.append(html.escape(text, quote=False))
    for child in element:
        _serialise(child, out, depth + 1)
        out.append(html.escape(html.unescape(child.tail or ""), quote=False))
    out.append(f"</{tag}>")


@functools.lru_cache(maxsize=4096)
def to_mathml(tex, display="inline"):
    """The MathML of a TeX formula (without its delimiters), serialised from an
    allow-list; the TeX kept as its annotation. Raises ConversionError."""
    if len(tex) > MAX_TEX:
        raise ConversionError("the formula is too long")
    try:
        math = convert_to_element(tex, display=display)
    except Exception as error:  # latex2mathml's own errors, and RecursionError
        raise ConversionError(f"{type(error).__name__}: {error}") from error
    math.attrib.pop("xmlns", None)
    if len(math) != 1:
        raise ConversionError("no single expression")
    out = [f'<math display="{display}"><semantics>']
    _serialise(math[0], out, 1)
    out.append(f'<annotation encoding="application/x-tex">{html.escape(tex.strip(), quote=False)}'
               "</annotation></semantics></math>")
    return "".join(out)


def as_text(tex, display):
    """A formula as its author wrote it, delimiters included."""
    if display == "environment":
        return tex
    return f"$${tex}$$" if display == "block" else f"${tex}$"


def formula_html(tex, display):
    """The formula as MathML, or as its TeX in a <code> element when it cannot be converted."""
    try:
        return to_mathml(tex, "inline" if display == "inline" else "block")
    except ConversionError as error:
        return (f'<code class="math-unconverted" title="{html.escape(str(error), quote=True)}">'
                f"{html.escape(as_text(tex, display), quote=False)}</code>")


# A tag of the cleaned HTML: its attribute values are always double-quoted, with `"` and
# `<` escaped in them (bleach's serializer), and the text between tags holds no `<`.
HTML_TAG = re.compile(r'(<(?:[^<>"]|"[^"]*")*>)')


class Formulas:
    """The formulas of one markdown text, held as placeholders while it is rendered and
    cleaned, then put back."""

    def __init__(self):
        self.held = []
        self.nonce = secrets.token_hex(8)
        self.placeholder = re.compile(rf"math{self.nonce}n(\d+)e")

    def hold(self, tex, display):
        self.held.append((tex, display))
        return f"math{self.nonce}n{len(self.held) - 1}e"

    def restore(self, cleaned):
        if not self.held:
            return cleaned

        def in_text(match):
            return formula_html(*self.held[int(match[1])])

        def in_tag(match):
            return html.escape(as_text(*self.held[int(match[1])]), quote=True)

        parts = HTML_TAG.split(cleaned)
        return "".join(self.placeholder.sub(in_tag if i % 2 else in_text, part)
                       for i, part in enumerate(parts))


class MathRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with each formula held by `formulas`."""

    def __init__(self, formulas, **options):
        super().__init__(**options)
        self.formulas = formulas

    def block_math(self, body):
        return self.formulas.hold(body, "block")

    def inline_math(self, body):
        return self.formulas.hold(body, "inline")

    def latex_environment(self, name, body):
        return self.formulas.hold(f"\\begin{{{name}}}{body}\\end{{{name}}}", "environment")


class SafeMarkdown2HTML(LoggingConfigurable):
    """The HTMLExporter's `markdown2html` filter, followed by clean_markdown_html, with
    math as MathML.

    Registered by class name in `c.HTMLExporter.filters`; nbconvert constructs it with
    the exporter as parent, whose settings (attachments, embedded images, anchor links,
    lexer options) it renders with, as the exporter's own markdown2html does."""

    # Jinja hands the template context (the cell, for its attachments) to callables
    # marked the way @pass_context marks functions.
    jinja_pass_arg = pass_context(lambda context, source: None).jinja_pass_arg

    def __call__(self, context, source):
        reason = too_much(source, "markdown", MAX_MARKDOWN_CHARS)
        if reason is None and not _spend(context, len(source)):
            reason = PAGE_FULL
        if reason:
            return notice(reason)
        exporter = self.parent
        formulas = Formulas()
        renderer = MathRenderer(
            formulas,
            escape=False,
            attachments=context.get("cell", {}).get("attachments", {}),
            embed_images=exporter.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=exporter.anchor_link_text,
            exclude_anchor_links=exporter.exclude_anchor_links,
            **exporter.lexer_options,
        )
        rendered = MarkdownWithMath(renderer=renderer).render(source)
        reason = too_much(rendered, "markdown", MAX_HTML_CHARS)  # block quotes and lists nest too
        if reason:
            return notice(reason)
        return formulas.restore(clean_markdown_html(rendered))
