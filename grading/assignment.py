"""An assignment's structure, read from its source notebooks: never written out by hand.

Questions come from the markdown headings that carry points, as in nbgrader's example
course: `## Question 1: compute_gradient (30 points)` or `## Part A (2 points)`. The
shallowest level of such headings makes the questions; deeper ones (`### Question 2a:
Minus (10 points)`) are parts of them. Every graded cell (nbgrader metadata: a test cell,
a manually graded answer or a task) belongs to the last heading above it, and its points
are nbgrader's own (`metadata.nbgrader.points`). A notebook with no such heading is one
question, titled from its first heading.

points_problems() checks that the points written for people (test docstrings such as
"(5 points)", headings, the front matter's points table) agree with the metadata, so the
points live in one place in effect.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# A fenced code block in markdown: its "# comment" lines are no headings, its "|" no table.
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*$.*?(?:^[ \t]*\1[`~]*[ \t]*$|\Z)",
                   re.MULTILINE | re.DOTALL)
POINTS = re.compile(r"\((\d+(?:\.\d+)?)\s+points?\)", re.IGNORECASE)
DOCSTRING = re.compile(r'^\s*(?:"""|\'\'\')(.*?)(?:"""|\'\'\')', re.DOTALL)
TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")


class AssignmentError(ValueError):
    """The assignment is missing or its notebooks cannot be read."""


@dataclass
class GradedCell:
    notebook: str
    grade_id: str
    points: float
    kind: str  # "test", "manual" (a manually graded answer) or "task"
    docstring: str = ""


@dataclass
class Heading:
    """A markdown heading that carries points, and the graded cells below it."""
    notebook: str
    level: int
    title: str  # without its markdown and its "(N points)"
    points: float
    cells: list = field(default_factory=list)  # GradedCell, directly or in deeper headings
    answers: list = field(default_factory=list)  # grade ids of the answer cells below it
    implicit: bool = False  # made up for graded cells that no heading with points covers
    several: bool = False  # the assignment has several notebooks, which may repeat titles

    @property
    def label(self):
        """Its short name: the part before a colon ("Question 1"), else the title."""
        return self.title.split(":", 1)[0].strip()

    @property
    def words(self):
        """What the title says after its label ("compute_gradient"), "" when nothing."""
        return self.title.split(":", 1)[1].strip() if ":" in self.title else ""

    @property
    def key(self):
        """Its title, unique in the assignment: prefixed by its notebook when there are
        several, since two notebooks may both have a "Part A" ("problem1: Part A")."""
        return self._in_notebook(self.title)

    @property
    def name(self):
        """Its label, unique in the assignment as key() is ("problem1: Part A")."""
        return self._in_notebook(self.label)

    def _in_notebook(self, text):
        if not self.several or text.startswith(f"{self.notebook}:"):
            return text  # "part1: outside every question" names its notebook already
        return f"{self.notebook}: {text}"

    @property
    def cell_points(self):
        return sum(cell.points for cell in self.cells)


@dataclass
class Assignment:
    name: str
    notebooks: list  # notebook names (file names without .ipynb), sorted
    questions: list  # Heading, in notebook order
    parts: list      # deeper Headings with points
    cells: list      # GradedCell, in notebook order
    tables: list = field(default_factory=list)  # (notebook, [(first cell, points cell)])

    @property
    def max_score(self):
        return sum(cell.points for cell in self.cells)

    def key(self, notebook, grade_id):
        return cell_key(notebook, grade_id, several=len(self.notebooks) > 1)

    def question_of(self, key):
        """The question (Heading) a graded cell or an answer cell belongs to, by key()."""
        for question in self.questions:
            if any(self.key(c.notebook, c.grade_id) == key for c in question.cells) or any(
                    self.key(question.notebook, answer) == key for answer in question.answers):
                return question
        raise KeyError(f"cell {key!r} belongs to no question of {self.name}")

    @property
    def manual_keys(self):
        """The keys of the cells graded by hand (manually graded answers and tasks)."""
        return {self.key(c.notebook, c.grade_id) for c in self.cells if c.kind != "test"}

    def question_scores(self, scores):
        """{question key: (score, max_score)}, in question order, summed from
        {key: (score, max_score)}; a question without scores gets (0, its points)."""
        totals = {}
        for question in self.questions:
            keys = [self.key(c.notebook, c.grade_id) for c in question.cells]
            totals[question.key] = (sum(scores[k][0] for k in keys if k in scores),
                                    sum(scores.get(k, (0, c.points))[1]
                                        for k, c in zip(keys, question.cells)))
        return totals


def cell_key(notebook, grade_id, several):
    """How a graded cell is named in score tables: its grade id, prefixed by its notebook
    when the assignment has several."""
    return f"{notebook}:{grade_id}" if several else grade_id


def plain(markdown):
    """A heading's text without markdown emphasis, code marks or links."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[`*]", "", text).strip()


def _graded_cell(notebook, cell):
    meta = cell.metadata.get("nbgrader", {})
    if not (meta.get("grade") or meta.get("task")):
        return None
    kind = "task" if meta.get("task") else "manual" if meta.get("solution") else "test"
    match = DOCSTRING.match(cell.source) if cell.cell_type == "code" else None
    return GradedCell(notebook, meta.get("grade_id", ""), float(meta.get("points", 0) or 0),
                      kind, match.group(1).strip() if match else "")


def _read_notebook(name, nb):
    """(headings with points, graded cells, answer cells' grade ids, tables, first heading)."""
    headings, cells, answers, tables, first_title = [], [], [], [], None
    open_headings = []  # the current heading of each level, shallowest first
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = FENCE.sub("", cell.source)
            for hashes, text in HEADING.findall(source):
                first_title = first_title or plain(text)
                points = POINTS.search(text)
                level = len(hashes)
                open_headings = [h for h in open_headings if h.level < level]
                if points:
                    heading = Heading(name, level, plain(POINTS.sub("", text)).rstrip(" :-"),
                                      float(points.group(1)))
                    headings.append(heading)
                    open_headings.append(heading)
            rows = [TABLE_ROW.match(line) for line in source.splitlines()]
            rows = [[plain(c) for c in row.group(1).split("|")] for row in rows if row]
            if rows and any(c.lower() == "points" for c in rows[0]):
                column = [c.lower() for c in rows[0]].index("points")
                tables.append((name, [(row[0], row[column]) for row in rows[2:]
                                      if len(row) > column]))
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade") and meta.get("grade_id"):
            answers.append(meta["grade_id"])
            for heading in open_headings:
                heading.answers.append(meta["grade_id"])
        graded = _graded_cell(name, cell)
        if graded:
            cells.append(graded)
            for heading in open_headings:
                heading.cells.append(graded)
    return headings, cells, answers, tables, first_title


def read_assignment(course_dir, assignment):
    """The Assignment of source/<assignment>/*.ipynb in a course folder."""
    folder = Path(course_dir) / "source" / assignment
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise AssignmentError(f"no notebook in {folder}: is {assignment!r} an assignment of "
                              f"this course? ({', '.join(assignment_names(course_dir)) or 'none'})")
    result = Assignment(assignment, [p.stem for p in paths], [], [], [])
    for path in paths:
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as error:  # noqa: BLE001 (any unreadable notebook means the same)
            raise AssignmentError(f"cannot read {path}: {error}") from None
        headings, cells, answers, tables, first_title = _read_notebook(path.stem, nb)
        result.cells += cells
        result.tables += tables
        if headings:
            top = min(h.level for h in headings)
            questions = [h for h in headings if h.level == top]
            # graded cells no question covers (above the first one, under a deeper
            # heading above it, after a heading without points): a question of their own
            covered = {id(c) for q in questions for c in q.cells}
            outside = [c for c in cells if id(c) not in covered]
            if outside:
                result.questions.append(Heading(
                    path.stem, top, f"{path.stem}: outside every question",
                    sum(c.points for c in outside), outside,
                    [a for a in answers if not any(a in q.answers for q in questions)],
                    implicit=True))
            result.questions += questions
            result.parts += [h for h in headings if h.level > top]
        elif cells:
            result.questions.append(Heading(path.stem, 1, first_title or path.stem,
                                            sum(c.points for c in cells), cells, answers,
                                            implicit=True))
    for heading in result.questions + result.parts:
        heading.several = len(paths) > 1
    return result


def assignment_names(course_dir):
    """The assignments of a course: the folders of source/ that hold a notebook."""
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
        if source.is_dir() else []


def points_problems(assignment):
    """What disagrees about points, in plain words; [] when everything agrees:
    - a graded cell whose docstring says "(N points)" with N not its metadata points;
    - a heading whose points are not the sum of the graded cells below it;
    - a row of a points table (a markdown table with a "Points" column) whose first
      cell names a question (its label, e.g. "Question 1") with other points, or a
      "Total" row that is not the assignment's maximum score;
    - graded cells that come before any question heading."""
    problems = []
    for cell in assignment.cells:
        said = POINTS.search(cell.docstring)
        if said and float(said.group(1)) != cell.points:
            problems.append(f"{cell.notebook}: {cell.grade_id}'s docstring says "
                            f"{said.group(1)} points, its metadata {cell.points:g}")
    for heading in assignment.questions + assignment.parts:
        if heading.implicit and any(not q.implicit and q.notebook == heading.notebook
                                    for q in assignment.questions):
            problems.append(f"{heading.notebook}: graded cells outside every question "
                            f"heading: {', '.join(c.grade_id for c in heading.cells)}")
        elif heading.cell_points != heading.points:
            problems.append(f"{heading.notebook}: '{heading.title}' says {heading.points:g} "
                            f"points, its graded cells add up to {heading.cell_points:g}")
    by_label = {q.label.lower(): q for q in assignment.questions}
    for notebook, rows in assignment.tables:
        for first, points in rows:
            try:
                value = float(points)
            except ValueError:
                continue
            if first.lower() == "total":
                if value != assignment.max_score:
                    problems.append(f"{notebook}: the points table's total is {points}, the "
                                    f"graded cells add up to {assignment.max_score:g}")
            elif first.lower() not in by_label:
                problems.append(f"{notebook}: the points table's row {first!r} names no question")
            elif by_label[first.lower()].points != value:
                problems.append(f"{notebook}: the points table gives {first} {points} points, "
                                f"its heading {by_label[first.lower()].points:g}")
    return problems
