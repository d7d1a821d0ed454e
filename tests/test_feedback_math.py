"""Math on the feedback page, offline: markdown formulas become MathML when the page is
exported (the course's markdown2html filter, grading/plugins/sanitize.py), and the page
loads no MathJax. What a student writes as math
can add MathML only: no script, event handler, link or style."""
import os

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from traitlets.config import Config

from grading.plugins import sanitize
from grading.plugins.sanitize import (TAGS, ConversionError, Formulas, MathRenderer,
                                     SafeMarkdown2HTML, to_mathml)
from tests.support import ROOT, notebook_path
from tests.test_feedback import FORMGRADER, SIGN, autograded, summarise

DEMO_STUDENTS = ("blank_ben", "correct_carla", "partial_pat")


@pytest.fixture(scope="module")
def markdown2html():
    config = Config()
    config.HTMLExporter.filters = {"markdown2html": SafeMarkdown2HTML}
    template = HTMLExporter(config=config).environment.from_string(
        "{{ cell.source | markdown2html }}")
    return lambda markdown: template.render(cell=nbformat.v4.new_markdown_cell(markdown),
                                            resources={})


def source_formulas():
    """Every formula of the source notebook's markdown, as the markdown parser finds them
    ((tex, display) pairs)."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    formulas = Formulas()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            MarkdownWithMath(renderer=MathRenderer(formulas, escape=False)).render(cell.source)
    return formulas.held


def test_every_formula_of_the_notebook_converts_to_mathml():
    formulas = source_formulas()
    assert len(formulas) > 50 and {display for _, display in formulas} == {"inline", "block"}
    for tex, display in formulas:
        mathml = to_mathml(tex, display)  # raises ConversionError when it cannot
        assert mathml.startswith(f'<math display="{display}"><semantics><mrow>'), tex
        assert "<mi>\\" not in mathml and "merror" not in mathml, tex


def test_the_notebook_markdown_keeps_no_dollar_outside_code(markdown2html):
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    pages = [markdown2html(c.source) for c in nb.cells if c.cell_type == "markdown"]
    soup = BeautifulSoup("".join(pages), "html.parser")
    for code in soup.find_all(["code", "pre", "annotation"]):
        code.decompose()
    assert "$" not in soup.get_text()
    assert "math-unconverted" not in "".join(pages)


def test_inline_display_and_list_item_math(markdown2html):
    html = markdown2html("A parabola $\\hat{y} = a x^2 + b x + c$:\n\n"
                         "$$L(\\theta) = \\sum_{i=1}^{n} \\big(y_i - M(x_i, \\theta)\\big)^2 .$$\n\n"
                         "1. a step\n   $$\\theta := \\theta - \\delta \\, \\nabla_\\theta L ,$$\n"
                         "   where $\\delta$ is small.\n2. next")
    soup = BeautifulSoup(html, "html.parser")
    maths = soup.find_all("math")
    assert [m["display"] for m in maths] == ["inline", "block", "block", "inline"]
    assert [m.find_parent(["p", "li"]).name for m in maths] == ["p", "p", "li", "li"]
    assert maths[0].find("mover") and maths[1].find("munderover") and maths[2].find("msub")
    assert maths[0].find("annotation", encoding="application/x-tex").text == "\\hat{y} = a x^2 + b x + c"
    assert "$" not in soup.get_text().replace(maths[0].annotation.text, "")


def test_dollars_in_code_stay_code(markdown2html):
    html = markdown2html("Run `echo $HOME $PATH` or\n\n```bash\nprice=\"$5\"; echo \"$$x$$\"\n```\n\n"
                         "    $$indented$$\n\nthen $x$.")
    soup = BeautifulSoup(html, "html.parser")
    assert [c.get_text() for c in soup.find_all("code")][0] == "echo $HOME $PATH"
    assert '"$$x$$"' in soup.find("pre").get_text() and "$$indented$$" in soup.get_text()
    assert len(soup.find_all("math")) == 1


def test_a_formula_that_cannot_convert_is_shown_as_its_tex_in_code(markdown2html):
    html = markdown2html("Fine $x$, unknown $\\notacommand{x}$ and $$\\frac{1}{2}\\undefinedthing$$.")
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("math")) == 1
    assert [c.get_text() for c in soup.find_all("code", class_="math-unconverted")] == [
        "$\\notacommand{x}$", "$$\\frac{1}{2}\\undefinedthing$$"]
    with pytest.raises(ConversionError):
        to_mathml("x" * (sanitize.MAX_TEX + 1))
    with pytest.raises(ConversionError):
        to_mathml("{" * 5000 + "x" + "}" * 5000)  # deep nesting: no RecursionError escapes


def test_lengths_are_made_readable_and_bounded():
    mathml = to_mathml("a\\!b \\; c \\mkern18mu d \\hspace{2cm} e \\hspace{100cm} \\rule{1000em}{1em}")
    soup = BeautifulSoup(mathml, "html.parser")
    widths = [s.get("width") for s in soup.find_all("mspace")]
    assert widths == ["-0.167em", "0.278em", "1.000em", "2cm", None, None]


def dangerous(html):
    """Elements or attributes a browser could run, load or lay over the page with."""
    found = []
    allowed = set(TAGS) | sanitize.MATHML_ELEMENTS
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name not in allowed:
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            url = "".join(value.split()).lower()
            on_mathml = element.name in sanitize.MATHML_ELEMENTS and name in (
                "style", "href", "src", "xlink:href", "class", "id", "voffset")
            if name.startswith("on") or on_mathml or url.startswith("javascript:"):
                found.append(f"<{element.name} {name}={value!r}>")
    return found


@pytest.mark.parametrize("markdown", [
    "$\\text{<script>alert(1)</script>}$",
    "$\\text{</mtext></math><img src=x onerror=alert(1)>}$",
    "$\\href{javascript:alert(1)}{click}$",
    "$\\style{position:fixed;top:0}{x}$",
    "$\\class{x}{y} \\cssId{top}{z}$",
    "$\\color{red\" onclick=\"alert(1)}{x}$",
    "$\\mathrm{\"><script>alert(1)</script>}$",
    "\\begin{align}<script>alert(1)</script> & = 1\\end{align}",
    "$$\\operatorname{<img src=x onerror=alert(1)>}$$",
    "$x$ <img src=x onerror=alert(1)> <math><mi onclick=alert(1)>x</mi></math>",
    '<math href="javascript:alert(1)"><mtext><script>alert(1)</script></mtext></math>',
    "## Heading $\" onmouseover=\"alert(1)$",
    "![$x\" onerror=\"alert(1)$]($y$)",
    "[$x$](javascript:alert(1)) $\\raisebox{-1000em}{x}$ $\\LaTeX$",
])
def test_what_a_student_writes_as_math_adds_mathml_only(markdown2html, markdown):
    html = markdown2html(markdown)
    assert dangerous(html) == [], html
    # The payloads are text: in elements, or in a heading's id and its "#..." link, or alt.
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script") and "alert(1)" not in "".join(
        str(v) for e in soup.find_all(True) for k, v in e.attrs.items()
        if k not in ("id", "alt") and not str(v).startswith("#"))


def test_a_student_cannot_forge_a_placeholder(markdown2html):
    formulas = Formulas()
    forged = formulas.hold("x", "inline").replace(formulas.nonce, "0" * 16)
    html = markdown2html(f"{forged} and $y$")
    assert forged in html and html.count("<math") == 1


def test_placeholders_in_attributes_become_escaped_tex():
    formulas = Formulas()
    held = formulas.hold('a<b" c', "inline")
    restored = formulas.restore(f'<h2 id="T-{held}" title="x>y">T {held}</h2>')
    assert restored.startswith('<h2 id="T-$a&lt;b&quot; c$" title="x>y">T <math display="inline">')


def feedback_page(nb, resources):
    """The page as `nbgrader generate_feedback` renders it with the course's settings."""
    from grading.plugins.feedback import TEMPLATE

    config = Config()
    config.HTMLExporter.extra_template_basedirs = [os.path.join(FORMGRADER, "templates")]
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_paths = [
        os.path.join(FORMGRADER, "static", "node_modules", "bootstrap", "dist", "css")]
    config.HTMLExporter.template_file = TEMPLATE
    config.HTMLExporter.sanitize_html = True
    config.HTMLExporter.filters = {"markdown2html": "grading.plugins.sanitize.SafeMarkdown2HTML"}
    return HTMLExporter(config=config).from_notebook_node(nb, resources=resources)[0]


def assert_offline_math(html):
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all("script") == [] and "mathjax" not in html.lower()
    assert len(soup.find_all("math")) > 50
    assert not soup.find_all("code", class_="math-unconverted")
    for skipped in soup.find_all(["code", "pre", "annotation", "style"]):
        skipped.decompose()
    assert "$$" not in soup.get_text()


def test_the_feedback_page_has_mathml_and_loads_no_mathjax():
    nb, resources = summarise(autograded({"divide_gradient_correct": SIGN}))
    assert_offline_math(feedback_page(nb, resources))


@pytest.mark.slow  # the demo class, graded end to end
@pytest.mark.parametrize("student", DEMO_STUDENTS)
def test_the_demo_class_feedback_pages_render_math_offline(demo_class, student):
    html = notebook_path(demo_class, "feedback", student).read_text()
    assert_offline_math(html)
    assert '<math display="block">' in html


def example_course_markdown():
    """The markdown cells of nbgrader's own example course (several notebooks and a
    header, with its own math), as installed with nbgrader: a course that is not ours."""
    import nbgrader
    from pathlib import Path

    source = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide" / "source"
    notebooks = sorted(source.rglob("*.ipynb"))
    assert len(notebooks) >= 5  # header.ipynb, ps1/problem1-2, ps1_autotest/problem1-2
    return [(path.relative_to(source), cell.source) for path in notebooks
            for cell in nbformat.read(str(path), as_version=4).cells if cell.cell_type == "markdown"]


def test_another_course_s_markdown_renders_as_it_did_with_math_as_mathml(markdown2html):
    """nbgrader's example course through our filter: every formula becomes MathML (none
    falls back to TeX), nothing dangerous is added, and the text outside the math is the
    text nbconvert's own filter gives."""
    config = Config()
    stock = HTMLExporter(config=config).environment.from_string("{{ cell.source | markdown2html }}")
    cells = example_course_markdown()
    formulas = 0
    for where, markdown in cells:
        ours = BeautifulSoup(markdown2html(markdown), "html.parser")
        theirs = BeautifulSoup(stock.render(cell=nbformat.v4.new_markdown_cell(markdown),
                                            resources={}), "html.parser")
        assert dangerous(str(ours)) == [], where
        assert not ours.select("code.math-unconverted"), (where, markdown)
        formulas += len(ours.find_all("math"))
        for math in ours.find_all("math"):
            math.decompose()
        text = lambda soup: " ".join(soup.get_text().replace("$", " ").split())
        assert set(text(ours).split()) <= set(text(theirs).split()), where
    assert formulas > 0  # the example course writes math too
