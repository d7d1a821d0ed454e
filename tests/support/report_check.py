"""Reads a written class_report.html back and compares it with the gradebook: the tests
that use it (graded demo class, mutation corpus, bad submissions) then say, in one
assertion, where the page and the gradebook disagree."""
import base64
import csv
import html.parser
import json
import statistics
from pathlib import Path

from grading import gradebook
from grading.assignment import read_assignment
from grading.commands import similarity

PNG = b"\x89PNG\r\n\x1a\n"
# Every tag the report writes itself: any other one would be markup a student smuggled in.
REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "ul", "li",
               "b", "i", "code", "p", "div", "img", "table", "tr", "th", "td", "details",
               "summary", "br", "pre", "mark"}


class Page(html.parser.HTMLParser):
    """The report's facts as the page states them: rows carrying data-* attributes, and
    the embedded images."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.rows, self.images, self.plotted, self.tags = [], {}, {}, set()
        self.pairs = []  # the similar pairs shown: {"a", "b", "similarity"}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "tr" and any(k.startswith("data-") for k in attrs):
            self.rows.append({k[5:]: v for k, v in attrs.items() if k.startswith("data-")})
        if tag == "summary" and "data-a" in attrs:
            self.pairs.append({k[5:]: v for k, v in attrs.items() if k.startswith("data-")})
        if tag == "img":
            self.images[attrs.get("id", "")] = attrs.get("src", "")
            self.plotted[attrs.get("id", "")] = json.loads(attrs.get("data-values") or "null")

    def of(self, *keys):
        return [row for row in self.rows if set(keys) <= set(row)]


def disagreements(course, assignment, students):
    """What the course's class report says that its gradebook does not, as a list of
    sentences ([] when they agree). students: those with a graded submission."""
    path = Path(course, "reports", assignment, "class_report.html")
    page = Page(path.read_text(encoding="utf-8"))
    structure = read_assignment(course, assignment)
    graded = {s: gradebook.cell_scores(course, assignment, s) for s in students}
    totals = gradebook.totals(course, assignment, students)
    found = [f"a tag the report never writes: <{tag}>" for tag in sorted(page.tags - REPORT_TAGS)]

    for name in ("figure-totals", "figure-questions", "figure-tests"):
        src = page.images.get(name, "")
        data = base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:image/png;base64,") else b""
        if not data.startswith(PNG) or len(data) < 2000:
            found.append(f"{name} is not an embedded PNG")

    plotted = sorted(score for score, _ in totals.values())
    if page.plotted.get("figure-totals") != plotted:
        found.append(f"the totals figure plots {page.plotted.get('figure-totals')}, the gradebook has {plotted}")
    by_question = {q.name: sorted(structure.question_scores(sc)[q.key][0] for sc in graded.values() if sc)
                   for q in structure.questions}
    if page.plotted.get("figure-questions") != by_question:
        found.append(f"the questions figure plots {page.plotted.get('figure-questions')}, "
                     f"the gradebook has {by_question}")

    shown_totals = {row["student"]: row["total"] for row in page.of("student", "total")}
    for student in students:
        expected = f"{totals[student][0]:g}" if student in totals else "not graded"
        if shown_totals.get(student) != expected:
            found.append(f"{student}: total shown {shown_totals.get(student)}, gradebook {expected}")

    tests = [structure.key(c.notebook, c.grade_id) for c in structure.cells if c.kind == "test"]
    shown_cells = {row["cell"]: row for row in page.of("cell", "pass", "mean")}
    scored = {s: sc for s, sc in graded.items() if sc}
    for key in tests:
        points = [sc[key] for sc in scored.values() if key in sc]
        if key not in shown_cells or not points:
            found.append(f"test {key}: not in the tests table" if key not in shown_cells else "")
            continue
        rate = sum(score >= top for score, top in points) / len(points)
        mean = statistics.fmean(score for score, _ in points)
        bar = (page.plotted.get("figure-tests") or {}).get(key)
        if bar is None or abs(bar - 100 * rate) > 1e-2:
            found.append(f"test {key}: the tests figure plots {bar}%, the gradebook {100 * rate:.2f}%")
        row = shown_cells[key]
        if abs(float(row["pass"]) - rate) > 1e-3 or abs(float(row["mean"]) - mean) > 1e-3:
            found.append(f"test {key}: page pass {row['pass']} mean {row['mean']}, "
                         f"gradebook {rate:.4f} {mean:.4f}")
        lost = sum(score < top for score, top in points)
        grouped = sum(int(row["count"]) for row in page.of("cell", "count") if row["cell"] == key)
        if grouped != lost:
            found.append(f"test {key}: failure groups hold {grouped} submissions, {lost} lost points")
    similar = similarity.csv_path(course, assignment)
    if similar.exists():  # the pairs shown side by side: the CSV's first, in its order
        with open(similar, newline="") as f:
            ranked = [row for row in csv.DictReader(f) if row["questions"]][:similarity.SHOWN]
        expected = [(r["student_a"], r["student_b"], float(r["similarity"])) for r in ranked]
        shown = [(p["a"], p["b"], float(p["similarity"])) for p in page.pairs]
        if [(a, b) for a, b, _ in shown] != [(a, b) for a, b, _ in expected] or any(
                abs(x[2] - y[2]) > 1e-3 for x, y in zip(shown, expected)):
            found.append(f"similar pairs shown {shown[:3]}..., the CSV ranks {expected[:3]}...")
    return [sentence for sentence in found if sentence]
