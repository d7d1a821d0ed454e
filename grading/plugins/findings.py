"""What the grader noticed about a submission, kept in the notebook's own metadata
(metadata["grading"]) from the repair step through execution to the autograded copy,
where the instructor report and the gradebook flag read it.

Each finding is a reason in plain words; a finding with review=True means the submission
needs an instructor's look (it is marked "needs manual grading" in the gradebook).
"""

KEY = "grading"


MAX_REASON_CHARS = 1000  # reasons quote student code and names: keep each one readable
MAX_FINDINGS = 60


def record(nb, reason, review=False):
    """Adds a finding to the notebook (once: repeating the same reason adds nothing)."""
    entries = nb.metadata.setdefault(KEY, {}).setdefault("findings", [])
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[:MAX_REASON_CHARS] + " ..."
    # Reasons quote student code and names, and reach the instructor's terminal (the
    # autograde log, the report): no control characters, so no escape sequences.
    reason = "".join(ch if ch.isprintable() else "?" for ch in reason)
    entry = {"reason": reason, "review": bool(review)}
    if entry in entries:
        return
    if len(entries) >= MAX_FINDINGS:  # one last entry stands for the rest
        overflow = f"more than {MAX_FINDINGS} findings: the rest were not kept"
        if entries[-1]["reason"] != overflow:
            entries.append({"reason": overflow, "review": False})
        entries[-1]["review"] = entries[-1]["review"] or bool(review)
        return
    entries.append(entry)


def findings(nb):
    """[{"reason": str, "review": bool}, ...] recorded in the notebook."""
    return list(nb.get("metadata", {}).get(KEY, {}).get("findings", []))


def needs_review(nb):
    return any(entry["review"] for entry in findings(nb))


def cell_label(cell, index):
    """How a report names a cell: "test cell fit_one_exact_step", "cell 14 (student's own)".
    A manually graded answer (nbgrader: grade and solution) is an answer cell, not a test."""
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("grade_id"):
        kind = ("answer" if meta.get("solution") else "test" if meta.get("grade")
                else "task" if meta.get("task") else "instructor")
        return f"{kind} cell {meta['grade_id']}"
    return f"cell {index + 1} (student's own)"
