"""The class report: one self-contained HTML page on what the class got right and wrong.

`grading report ASSIGNMENT --html` (and `grading class-run`) writes it to
reports/<assignment>/class_report.html. It opens offline: the figures are PNGs drawn with
matplotlib and embedded in the page, the style is inline, there is no script.

A short summary comes first, then the figures (totals, each question, each test's pass
rate, the likely mistakes), then the details: the tests sorted weakest first with their
pass rate, mean and discrimination (how well the test separates strong from weak
submissions: the correlation of its score with the rest of the score), the most common
failures of each test grouped by message with the numbers taken out, the likely mistake
behind each lost question (grading.diagnosis), the pairs of students whose answers agree
more than chance explains (from the last `grading similarity` run, side by side), and the
submissions that need a look. Cells graded by hand (nbgrader's manually graded answers
and tasks) are no tests: a table of their own says how many submissions await their
grade, and they never count as failures or mistakes. Everything comes from the gradebook,
the autograded notebooks and reports/<assignment>/similarity.json; every text a student
could have written is escaped.
"""
import base64
import dataclasses
import html
import io
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from . import diagnosis
from .gradebook import awaiting_manual_grade, open_gradebook, scores
from .commands import similarity
from .commands.report import SEPARATOR, report_rows

SHOWN_STUDENTS = 12  # students named per failure group before "and N more"
SHOWN_MISTAKES = 12  # bars in the misconception chart


@dataclasses.dataclass
class CellStats:
    key: str
    question: str
    points: float
    docstring: str
    scores: dict  # {student: score}
    discrimination: float | None = None
    failures: list = dataclasses.field(default_factory=list)  # [(message, [students])], largest first

    @property
    def pass_rate(self):
        return sum(s >= self.points for s in self.scores.values()) / len(self.scores) if self.scores else 0.0

    @property
    def mean(self):
        return statistics.fmean(self.scores.values()) if self.scores else 0.0


@dataclasses.dataclass
class ManualStats:
    """A cell graded by hand: the grades given so far, and who still awaits one."""
    key: str
    question: str
    points: float
    scores: dict    # {student: score} of the submissions graded (or scored 0 unanswered)
    awaiting: list  # students whose answer waits for its manual grade

    @property
    def mean(self):
        return statistics.fmean(self.scores.values()) if self.scores else None


@dataclasses.dataclass
class ClassFacts:
    assignment: str
    structure: object
    rows: list            # grading.report rows: one per submission
    totals: dict          # {student: total} of the graded submissions
    max_score: float
    question_scores: dict  # {question key: {student: score}}
    cells: list           # [CellStats] of the test cells, weakest first
    diagnoses: dict       # {student: [Diagnosis]}
    known_mistakes: int   # mistakes in the course's table of known mistakes
    late: list            # [(student, seconds late, penalty)]
    missing: list         # students in the gradebook without a submission
    grading: dict | None  # what the last grading run recorded (reports/<a>/grading.json)
    similar: dict | None = None  # the last similarity run (reports/<a>/similarity.json)
    manual: list = dataclasses.field(default_factory=list)  # [ManualStats], in notebook order


def _correlation(xs, ys):
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def class_report_path(course_dir, assignment):
    return Path(course_dir, "reports", assignment, "class_report.html")


def grading_record_path(course_dir, assignment):
    return Path(course_dir, "reports", assignment, "grading.json")


def class_facts(course_dir, assignment, report=None):
    """Everything the page shows, read from the gradebook and the autograded notebooks.
    report: grading.commands.report's (rows, structure), when the caller has them already."""
    rows, structure = report or report_rows(course_dir, assignment)
    tests = [c for c in structure.cells if c.kind == "test"]
    test_keys = {structure.key(c.notebook, c.grade_id) for c in tests}
    notebooks = structure.notebooks
    table = diagnosis.read_table(course_dir, assignment)
    per_student, late, awaiting = {}, [], {}
    with open_gradebook(course_dir) as gb:
        graded = gb.find_assignment(assignment)
        max_score = graded.max_score
        for submission in graded.submissions:
            student = submission.student.id
            per_student[student] = (submission.score, scores(submission))
            awaiting[student] = awaiting_manual_grade(submission, structure.manual_keys)
            if submission.total_seconds_late > 0:
                late.append((student, submission.total_seconds_late, submission.late_submission_penalty))
        # The report's rows hold every submitted student and every graded one.
        reported = {row["student"] for row in rows}
        missing = sorted(s.id for s in gb.students if s.id not in reported)
    graded_students = sorted(per_student)
    totals = {s: per_student[s][0] for s in graded_students}
    cells, failures_by_student = [], {}
    for student in graded_students:
        failed = diagnosis.failures(course_dir, assignment, student, per_student[student][1], notebooks)
        failures_by_student[student] = {k: m for k, m in failed.items() if k in test_keys}
    for cell in tests:
        key = structure.key(cell.notebook, cell.grade_id)
        cell_scores = {s: per_student[s][1][key][0] for s in graded_students if key in per_student[s][1]}
        stats = CellStats(key, structure.question_of(key).name, cell.points, cell.docstring, cell_scores)
        stats.discrimination = _correlation([cell_scores[s] for s in cell_scores],
                                            [totals[s] - cell_scores[s] for s in cell_scores])
        groups = defaultdict(list)
        for student in cell_scores:
            if key in failures_by_student[student]:
                groups[failures_by_student[student][key] or "(no message: lost points without an error)"].append(student)
        stats.failures = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        cells.append(stats)
    cells.sort(key=lambda c: (c.pass_rate, c.discrimination if c.discrimination is not None else 1.0, c.key))
    question_scores = {q.key: {} for q in structure.questions}
    for student in graded_students:
        for key, (score, _) in structure.question_scores(per_student[student][1]).items():
            question_scores[key][student] = score
    manual = []
    for cell in (c for c in structure.cells if c.kind != "test"):
        key = structure.key(cell.notebook, cell.grade_id)
        waiting = [s for s in graded_students if key in awaiting[s]]
        manual.append(ManualStats(key, structure.question_of(key).name, cell.points,
                                  {s: per_student[s][1][key][0] for s in graded_students
                                   if key in per_student[s][1] and s not in waiting}, waiting))
    diagnoses = {s: diagnosis.diagnose(f, table, structure) for s, f in failures_by_student.items() if f}
    record = grading_record_path(course_dir, assignment)
    return ClassFacts(assignment, structure, rows, totals, max_score, question_scores, cells,
                      diagnoses, len({k.mistake for k in table}), sorted(late), missing,
                      json.loads(record.read_text()) if record.exists() else None,
                      similarity.read_record(course_dir, assignment), manual)


def misconceptions(facts):
    """[(Diagnosis, students)]: students per likely mistake (or per tie of mistakes the
    tests cannot tell apart), most common first; failures no known mistake matches are
    counted per unit as "unrecognised"."""
    groups, first = defaultdict(list), {}
    for student, verdicts in sorted(facts.diagnoses.items()):
        for verdict in verdicts:
            key = (verdict.unit, verdict.mistakes if verdict.recognised else ())
            first.setdefault(key, verdict)
            groups[key].append(student)
    return sorted(((first[k], s) for k, s in groups.items()),
                  key=lambda g: (-len(g[1]), g[0].unit, g[0].words))


# --- figures ---------------------------------------------------------------------------

def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(facts):
    """{name: (base64 PNG, alt text, the values plotted)}: the values go on the page with
    the figure, so that a test can hold them against the gradebook."""
    import matplotlib
    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    from matplotlib import pyplot as plt

    drawn = {}
    values = list(facts.totals.values())
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.hist(values, bins=min(20, max(5, len(values))), range=(0, facts.max_score), color="#4c72b0")
    ax.set(xlabel=f"total score (of {facts.max_score:g})", ylabel="submissions",
           title="Totals")
    drawn["totals"] = (_png(fig), f"histogram of {len(values)} totals", sorted(values))
    plt.close(fig)

    questions = facts.structure.questions
    fig, axes = plt.subplots(1, len(questions), figsize=(3.1 * len(questions), 2.5), squeeze=False)
    for ax, question in zip(axes[0], questions):
        ax.hist(list(facts.question_scores[question.key].values()), bins=10,
                range=(0, question.points), color="#55a868")
        ax.set(title=f"{question.name} (/{question.points:g})", xlabel="score")
    axes[0][0].set_ylabel("submissions")
    fig.tight_layout()
    drawn["questions"] = (_png(fig), "histograms of each question's scores",
                          {q.name: sorted(facts.question_scores[q.key].values()) for q in questions})
    plt.close(fig)

    cells = facts.cells
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(cells) + 0.9))
    ax.barh([c.key for c in cells], [100 * c.pass_rate for c in cells],
            color=["#c44e52" if c.pass_rate < 0.5 else "#dd8452" if c.pass_rate < 0.8 else "#55a868"
                   for c in cells])
    ax.invert_yaxis()
    ax.set(xlim=(0, 100), xlabel="% of submissions with full marks", title="Tests, weakest first")
    drawn["tests"] = (_png(fig), "pass rate of each test cell",
                      {c.key: round(100 * c.pass_rate, 4) for c in cells})
    plt.close(fig)

    groups = misconceptions(facts)[:SHOWN_MISTAKES]
    if groups:
        labels = [_short(f"{d.unit}: {d.mistakes[0][1] if d.recognised else 'unrecognised'}", 62)
                  + (f" (+{len(d.mistakes) - 1} alike)" if d.recognised and len(d.mistakes) > 1 else "")
                  for d, _ in groups]
        fig, ax = plt.subplots(figsize=(7.5, 0.34 * len(groups) + 0.9))
        ax.barh(labels, [len(students) for _, students in groups],
                color=["#8172b3" if d.recognised else "#8c8c8c" for d, _ in groups])
        ax.invert_yaxis()
        ax.set(xlabel="students", title="Likely mistakes")
        ax.xaxis.get_major_locator().set_params(integer=True)
        drawn["mistakes"] = (_png(fig), "students per likely mistake",
                             dict(zip(labels, (len(students) for _, students in groups))))
        plt.close(fig)
    return drawn


def _short(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- the page --------------------------------------------------------------------------

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1em; color: #222 }
h1 { font-size: 1.5em } h2 { border-bottom: 1px solid #ddd; margin-top: 2em }
table { border-collapse: collapse; margin: .5em 0 } td, th { border-bottom: 1px solid #eee;
  padding: .25em .6em; text-align: left; vertical-align: top }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums }
.summary li { margin: .2em 0 } .muted { color: #666 } code { font-size: .9em }
img { max-width: 100%; display: block; margin: .5em 0 }
details { margin: .3em 0 } summary { cursor: pointer }
.low { color: #b22 } .quality { font-size: .85em; color: #555 }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .5em }
.pair pre { overflow-x: auto; background: #f7f7f7; padding: .4em; margin: 0; font-size: .85em }
mark { background: #fd6 }
@media (max-width: 700px) { .pair { grid-template-columns: minmax(0, 1fr) } }
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _pct(share):
    return f"{100 * share:.0f}%"


def _students(students):
    shown = ", ".join(_e(s) for s in students[:SHOWN_STUDENTS])
    return shown + (f" and {len(students) - SHOWN_STUDENTS} more" if len(students) > SHOWN_STUDENTS else "")


def _summary(facts):
    totals = list(facts.totals.values())
    review = [r for r in facts.rows if r["needs_review"] == "yes"]
    items = [f"<b>{len(facts.rows)}</b> submissions, <b>{len(totals)}</b> graded"]
    if totals:
        items.append(f"total: mean <b>{statistics.fmean(totals):.1f}</b>, median "
                     f"<b>{statistics.median(totals):g}</b> of {facts.max_score:g}; "
                     f"{sum(t >= facts.max_score for t in totals)} full marks")
    weak = [c for c in facts.cells if c.scores][:2]
    if weak:
        items.append("weakest tests: " + "; ".join(
            f"<code>{_e(c.key)}</code> ({_pct(c.pass_rate)} pass)" for c in weak))
    groups = [(d, students) for d, students in misconceptions(facts) if d.recognised]
    if groups:
        verdict, students = groups[0]
        items.append(f"most common likely mistake: {_e(verdict.headline)} "
                     f"({_e(verdict.unit)}, {len(students)} students)")
    if facts.manual:
        waiting = {s for m in facts.manual for s in m.awaiting}
        items.append(f"{len(facts.manual)} cells graded by hand: <b>{len(waiting)}</b> "
                     f"submission{'s' * (len(waiting) != 1)} awaiting a manual grade")
    items.append(f"<b>{len(review)}</b> need review, {len(facts.late)} late, {len(facts.missing)} missing")
    if facts.grading:
        g = facts.grading
        items.append(f"graded in {g['seconds']:.0f} s ({g['per_submission']:.1f} s per submission, "
                     f"{_e(g['engine'])}), finished {_e(g['finished'])}")
    return "<ul class='summary'>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _tests_table(facts):
    rows = ["<table id='tests'><tr><th>test cell</th><th>question</th><th class='n'>points</th>"
            "<th class='n'>pass rate</th><th class='n'>mean</th><th class='n'>discrimination</th></tr>"]
    for c in facts.cells:
        d = "—" if c.discrimination is None else f"{c.discrimination:.2f}"
        rows.append(
            f"<tr data-cell='{_e(c.key)}' data-pass='{c.pass_rate:.4f}' data-mean='{c.mean:.4f}'>"
            f"<td><code>{_e(c.key)}</code><div class='muted'>{_e(c.docstring)}</div></td>"
            f"<td>{_e(c.question)}</td><td class='n'>{c.points:g}</td>"
            f"<td class='n{' low' if c.pass_rate < 0.5 else ''}'>{_pct(c.pass_rate)}</td>"
            f"<td class='n'>{c.mean:.2f}</td><td class='n'>{d}</td></tr>")
    return "\n".join(rows) + "</table>"


def _manual_table(facts):
    if not facts.manual:
        return ""
    rows = ["<h2>Graded by hand</h2><p class='muted'>Manually graded answers and tasks: no "
            "tests, so never counted as failures or mistakes.</p>"
            "<table id='manual'><tr><th>cell</th><th>question</th><th class='n'>points</th>"
            "<th class='n'>graded</th><th class='n'>mean</th><th>awaiting a manual grade</th></tr>"]
    for m in facts.manual:
        mean = "—" if m.mean is None else f"{m.mean:.2f}"
        rows.append(f"<tr data-manual='{_e(m.key)}' data-graded='{len(m.scores)}' "
                    f"data-awaiting='{len(m.awaiting)}'><td><code>{_e(m.key)}</code></td>"
                    f"<td>{_e(m.question)}</td><td class='n'>{m.points:g}</td>"
                    f"<td class='n'>{len(m.scores)}</td><td class='n'>{mean}</td>"
                    f"<td>{_students(m.awaiting) or 'none'}</td></tr>")
    return "\n".join(rows) + "</table>"


def _failures(facts):
    parts = []
    for c in facts.cells:
        if not c.failures:
            continue
        lost = sum(len(s) for _, s in c.failures)
        parts.append(f"<details{' open' if c is facts.cells[0] else ''}><summary><code>{_e(c.key)}</code>: "
                     f"{lost} submissions lost points, {len(c.failures)} kinds of failure</summary><table>")
        for message, students in c.failures:
            parts.append(f"<tr data-cell='{_e(c.key)}' data-count='{len(students)}'>"
                         f"<td class='n'>{len(students)}</td><td><code>{_e(message)}</code>"
                         f"<div class='muted'>{_students(students)}</div></td></tr>")
        parts.append("</table></details>")
    return "\n".join(parts) or "<p>No test lost points.</p>"


def _mistakes(facts):
    if not facts.diagnoses:
        return "<p>No submission lost points in a test.</p>"
    intro = (f"<p>Each failure is compared with the course's {facts.known_mistakes} known "
             f"mistakes (mistakes/{_e(facts.assignment)}.json). <i>exact</i>: the same tests fail "
             "with the same messages; <i>close</i>: at least three quarters agree; "
             "<i>unrecognised</i>: nothing known is close. Mistakes that the tests cannot "
             "tell apart are named together. A likely mistake is a lead to check, "
             "not a finding.</p>" if facts.known_mistakes else
             "<p class='muted'>This course keeps no table of known mistakes: every failure is unrecognised.</p>")
    groups = ["<table id='misconceptions'><tr><th class='n'>students</th><th>where</th><th>likely mistake</th></tr>"]
    for verdict, students in misconceptions(facts):
        groups.append(f"<tr><td class='n'>{len(students)}</td><td>{_e(verdict.unit)}</td><td>"
                      + "<br>or: ".join(_e(words) for words in verdict.words.split(" / or: "))
                      + f"<div class='muted'>{_students(students)}</div></td></tr>")
    per_student = ["<details><summary>Each submission's likely mistakes</summary><table>"
                   "<tr><th>student</th><th>where</th><th>likely mistake</th><th>match</th></tr>"]
    for student in sorted(facts.diagnoses):
        for verdict in facts.diagnoses[student]:
            per_student.append(f"<tr><td>{_e(student)}</td><td>{_e(verdict.unit)}</td><td>{_e(verdict.words)}</td>"
                               f"<td class='quality'>{verdict.quality} ({verdict.score:.2f})</td></tr>")
    return intro + "".join(groups) + "</table>" + "".join(per_student) + "</table></details>"


def _highlighted(source, spans):
    """The source, escaped, with the shared spans in <mark>."""
    parts, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        parts += [_e(source[last:start]), "<mark>", _e(source[start:end]), "</mark>"]
        last = end
    return "".join(parts) + _e(source[last:])


def _similar(facts):
    record = facts.similar
    if record is None:
        return (f"<p class='muted'>Not checked yet: <code>grading similarity {_e(facts.assignment)}</code> "
                "compares every pair of students answer by answer.</p>")
    review_at = record["review_at"]
    flagged = [p for p in record["top"] if p["similarity"] >= review_at]
    parts = [f"<p>{record['students']} students compared answer cell by answer cell "
             f"({_e(record['finished'])}), the release's code, names, comments and layout "
             "ignored. A shared piece counts for more the fewer classmates wrote it. "
             f"Similarity {review_at:g} means chance would explain about one such pair in a "
             "class this size; 0.9 about one in ten classes. <b>It is a reason to look at two "
             "submissions, not a finding</b>: answers rewritten by hand, or copied by both "
             "from the same outside source, look like any others.</p>",
             f"<p id='similar-count'><b>{len(flagged)}</b> pair{'s' * (len(flagged) != 1)} at or above "
             f"{review_at:g}" + (":" if flagged else ".") + "</p>" if record["top"] else "<p>No two answers match.</p>"]
    for pair in record["top"]:
        mark = pair["similarity"] >= review_at
        failures = (f"; the same rare failure in {', '.join(_e(f) for f in pair['identical_failures'])}"
                    if pair["identical_failures"] else "")
        parts.append(
            f"<details class='similar'{' open' if pair is record['top'][0] and mark else ''}>"
            f"<summary data-a='{_e(pair['student_a'])}' data-b='{_e(pair['student_b'])}' "
            f"data-similarity='{pair['similarity']}'>{'<b>' if mark else ''}{pair['similarity']:.3f}: "
            f"{_e(pair['student_a'])} and {_e(pair['student_b'])}{'</b>' if mark else ''} "
            f"({_e(pair['questions'])}{failures})</summary>")
        for cell in pair["cells"]:
            parts.append(f"<p><b>{_e(cell['question'])}</b> <code>{_e(cell['cell'])}</code>: the answers "
                         f"agree at {cell['similarity']:.2f}; {_pct(cell['as_close'])} of the class "
                         "answered this close</p><div class='pair'>"
                         + "".join(f"<div><div class='muted'>{_e(pair['student_' + side])}</div>"
                                   f"<pre>{_highlighted(cell[side]['source'], cell[side]['shared'])}</pre></div>"
                                   for side in ("a", "b")) + "</div>")
        parts.append("</details>")
    return "\n".join(parts)


def _attention(facts):
    review = [r for r in facts.rows if r["needs_review"] == "yes"]
    parts = ["<h3>Flagged for review</h3>"]
    if review:
        parts.append("<table id='review'><tr><th>student</th><th>why</th></tr>")
        for row in review:
            reasons = [r for r in row["flags"].split(SEPARATOR) if r] or ["nbgrader marked it for manual grading"]
            parts.append(f"<tr><td>{_e(row['student'])}</td><td>"
                         + "<br>".join(_e(_short(r, 400)) for r in reasons) + "</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h3>Late</h3>")
    parts.append("<p>None.</p>" if not facts.late else "<table id='late'><tr><th>student</th>"
                 "<th class='n'>late by</th><th class='n'>penalty</th></tr>" + "".join(
                     f"<tr><td>{_e(s)}</td><td class='n'>{seconds / 3600:.1f} h</td>"
                     f"<td class='n'>{penalty:g}</td></tr>" for s, seconds, penalty in facts.late) + "</table>")
    parts.append("<h3>Missing</h3>")
    parts.append("<p>None: every student in the gradebook handed something in.</p>" if not facts.missing
                 else f"<p id='missing'>{', '.join(_e(s) for s in facts.missing)}</p>")
    return "\n".join(parts)


def _everyone(facts):
    questions = facts.structure.questions
    rows = ["<table id='totals'><tr><th>student</th>" + "".join(
        f"<th class='n'>{_e(q.name)} /{q.points:g}"
        + (f"<div class='muted'>{_e(q.words)}</div>" if q.words else "") + "</th>" for q in questions)
        + f"<th class='n'>total /{facts.max_score:g}</th><th>review</th></tr>"]
    for row in facts.rows:
        graded = row["student"] in facts.totals
        total = f"{facts.totals[row['student']]:g}" if graded else "not graded"
        rows.append(f"<tr data-student='{_e(row['student'])}' data-total='{_e(total)}'><td>{_e(row['student'])}</td>"
                    + "".join(f"<td class='n'>{_e('' if row[q.key] == '' else f'{row[q.key]:g}')}</td>"
                              for q in questions)
                    + f"<td class='n'>{_e(total)}</td><td>{_e(row['needs_review'])}</td></tr>")
    return "\n".join(rows) + "</table>"


def render(facts):
    drawn = figures(facts)

    def img(name):
        if name not in drawn:
            return ""
        data, alt, values = drawn[name]
        return (f"<img id='figure-{name}' alt='{_e(alt)}' data-values='{_e(json.dumps(values))}' "
                f"src='data:image/png;base64,{data}'>")

    title = f"Class report: {facts.assignment}"
    return "\n".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>", _summary(facts),
        "<h2>Scores</h2>", img("totals"), img("questions"),
        "<h2>Tests</h2>", img("tests"),
        "<p class='muted'>Discrimination: the correlation of a test's score with the rest of "
        "the score. Near 0 or negative, the test does not follow overall ability: check it.</p>",
        _tests_table(facts),
        _manual_table(facts),
        "<h2>Most common failures</h2>",
        "<p class='muted'>Per test, failures grouped by their message with numbers and the "
        "drawn case taken out.</p>", _failures(facts),
        "<h2>Likely mistakes</h2>", img("mistakes"), _mistakes(facts),
        "<h2>Similar answers</h2>", _similar(facts),
        "<h2>Needs a look</h2>", _attention(facts),
        "<h2>Every submission</h2>", _everyone(facts),
        "</body></html>",
    ])


def write_class_report(course_dir, assignment, report=None):
    """Writes reports/<assignment>/class_report.html; returns (path, facts)."""
    facts = class_facts(course_dir, assignment, report)
    path = class_report_path(course_dir, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(facts), encoding="utf-8")
    return path, facts
