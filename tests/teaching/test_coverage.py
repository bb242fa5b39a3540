"""course/coverage.md: every item of the course material is taught in an existing course section and
practised by an existing lab exercise, concept-quiz question or question-bank question."""
import re
from functools import lru_cache
from pathlib import Path

import pytest

from crmlab.errors import NotFound
from crmlab.labs import load
from crmlab.teaching import exam, quizbank

ROOT = Path(__file__).resolve().parents[2]
COVERAGE = ROOT / "course" / "coverage.md"
ROW = re.compile(r"^\| (\d{3}-\d{3}) \| (.*) \| (W|S → deepened|M → added) \| (.*) \| (.*) \|$")
REF = re.compile(r"^(course/[\w./-]+\.md)(?: §(\d+))?$")


def rows():
    out = []
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            item, _concept, verdict, taught, practised = m.groups()
            out.append((item, verdict, [t.strip() for t in taught.split(";") if t.strip()],
                        re.findall(r"`([^`]+)`", practised)))
    return out


@lru_cache(maxsize=None)
def headings(path: str) -> set[int]:
    """Numbers of the numbered sections (## N. …) of a course file."""
    text = (ROOT / path).read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^#{2,3} (\d+)\.", text, flags=re.M)}


def section_exists(ref: str) -> bool:
    m = REF.match(ref)
    if not m or not (ROOT / m.group(1)).is_file():
        return False
    return m.group(2) is None or int(m.group(2)) in headings(m.group(1))


@lru_cache(maxsize=None)
def lab_names(lab: str) -> set[str]:
    return set(load(lab).names())


def practice_exists(pid: str) -> bool:
    m = re.fullmatch(r"lab(\d\d)\.(q\w+)", pid)
    if m:
        return m.group(2) in lab_names(m.group(1))
    if re.fullmatch(r"m\d\.q\d\d", pid):
        try:
            quizbank.question(pid)
            return True
        except NotFound:
            return False
    try:
        exam.question(pid)
        return True
    except NotFound:
        return False


def test_table_has_every_item_of_the_review():
    table = rows()
    ids = [r[0] for r in table]
    assert len(ids) == len(set(ids)) == 186            # the review's 186 items (pedagogy review §1)
    verdicts = [r[1][0] for r in table]
    # the review's counts before closing: 116 taught well, 35 shallow or wrong, 35 missing
    assert (verdicts.count("W"), verdicts.count("S"), verdicts.count("M")) == (116, 35, 35)


def test_every_row_is_taught_in_an_existing_section():
    bad = [(item, ref) for item, _, taught, _ in rows() for ref in taught if not section_exists(ref)]
    assert not [item for item, _, taught, _ in rows() if not taught]
    assert bad == []


def test_every_row_is_practised_by_an_existing_exercise_or_question():
    table = rows()
    assert [item for item, _, _, practised in table if not practised] == []
    bad = [(item, pid) for item, _, _, practised in table for pid in practised if not practice_exists(pid)]
    assert bad == []


def test_missing_and_shallow_items_are_practised_by_a_bank_question():
    """Items the review found missing or shallow are examined from the bank, not only in prose."""
    bank_ids = {q.id for q in exam.bank()}
    lacking = [item for item, verdict, _, practised in rows()
               if verdict != "W" and not (set(practised) & bank_ids or any(p.startswith("lab") for p in practised))]
    assert lacking == []


def test_bank_questions_point_at_rows_and_existing_sections():
    items = {r[0] for r in rows()}
    for q in exam.bank():
        assert set(q.covers) <= items, q.id
        assert section_exists(q.taught), (q.id, q.taught)
    for cid, case in exam.cases().items():
        assert (ROOT / case["file"]).is_file(), cid


def test_a_wrong_reference_is_caught():
    assert not section_exists("course/07-customer-service.md §99")
    assert not section_exists("course/no-such-file.md §1")
    assert not practice_exists("lab06.q99")
    assert not practice_exists("m6.q99")
    assert not practice_exists("x.nothing01")


NEW_TEXTS = sorted((ROOT / "course").glob("[0-9][0-9]-*.md")) + sorted((ROOT / "course" / "cases").glob("*.md"))


@pytest.mark.parametrize("path", [p for p in NEW_TEXTS if re.match(r"(0[7-9]|1\d)-", p.name) or p.parent.name == "cases"],
                         ids=lambda p: p.name)
def test_question_ids_cited_in_new_course_texts_exist(path):
    cited = set(re.findall(r"`([abcstx]\.[a-z]+\d*(?:\.\d+)?)`", path.read_text(encoding="utf-8")))
    bank_ids = {q.id for q in exam.bank()}
    assert cited, f"{path.name} cites no question"
    assert sorted(cited - bank_ids) == []
