"""The question bank (schema, the source's own keys) and `crmlab exam` (papers, answer sheets, PDF)."""
import copy
import json
import re

import pytest

from crmlab.cli import main
from crmlab.errors import ConfigError, DataError
from crmlab.teaching import exam
from crmlab.teaching.checks import Choice

# The printed key of the course material's exercise set A, verbatim (客户服务管理第六章练习题):
SEED_A_KEY = "1、C2、C3、B4、C5、D6、D7、C8、A9、D10、A11、A12、A13、D14、B15、A16、C17、A18、C19、D"


def test_every_bank_file_is_valid():
    files = sorted(exam.BANK_DIR.glob("*.json"))
    assert len(files) >= 5
    for path in files:
        assert exam.validate_document(json.loads(path.read_text(encoding="utf-8")), path.name) == []


def test_bank_ids_are_unique_and_bilingual():
    qs = exam.bank()
    assert len({q.id for q in qs}) == len(qs)
    for q in qs:
        assert q.stem["en"] != q.stem["zh"]
        assert re.search(r"[\u4e00-\u9fff]", q.stem["zh"]), q.id


def _doc():
    return {"set": "t", "title": {"en": "T", "zh": "题"}, "description": {"en": "D", "zh": "说明"},
            "cases": {"k": {"title": {"en": "K", "zh": "案"}, "text": {"en": "Text", "zh": "正文"}, "file": "x.md"}},
            "questions": [
                {"id": "t.q01", "module": "m1", "type": "single", "covers": ["000-003"],
                 "taught": "course/01-crm-foundations.md §2", "stem": {"en": "Q?", "zh": "问?"}, "points": 1,
                 "key_status": "course", "answer": "B",
                 "options": {"A": {"en": "a", "zh": "甲"}, "B": {"en": "b", "zh": "乙"}}},
                {"id": "t.q02", "module": "m1", "type": "case", "covers": ["000-003"], "case": "k",
                 "taught": "course/cases/x.md", "stem": {"en": "Q?", "zh": "问?"}, "points": 3, "key_status": "course",
                 "answer": {"en": "A.", "zh": "答。"},
                 "rubric": [{"points": 1, "en": "x", "zh": "甲"}, {"points": 2, "en": "y", "zh": "乙"}]}]}


@pytest.mark.parametrize("break_it, expect", [
    (lambda d: d["questions"][0]["stem"].pop("zh"), "stem"),
    (lambda d: d["questions"][0].update(answer="E"), "answer"),
    (lambda d: d["questions"][0].update(module="m9"), "module"),
    (lambda d: d["questions"][0].update(covers=[]), "covers"),
    (lambda d: d["questions"][0]["options"]["B"].update(en=""), "options.B"),
    (lambda d: d["questions"][0].update(key_status="guess"), "key_status"),
    (lambda d: d["questions"][1].update(points=4), "points"),
    (lambda d: d["questions"][1].update(case="nope"), "case"),
    (lambda d: d["questions"][1]["rubric"][0].pop("zh"), "rubric[0]"),
    (lambda d: d["questions"][1].update(answer="just English"), "answer"),
])
def test_schema_problems_are_named(break_it, expect):
    good = _doc()
    assert exam.validate_document(good, "t.json") == []
    bad = copy.deepcopy(good)
    break_it(bad)
    problems = exam.validate_document(bad, "t.json")
    assert problems and any(expect in p for p in problems), problems


def test_a_broken_bank_file_raises_a_typed_error(tmp_path):
    doc = _doc()
    doc["questions"][0]["answer"] = "Z"
    (tmp_path / "t.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError) as err:
        exam.bank(tmp_path)
    assert "t.json" in str(err.value) and "answer" in str(err.value)


def test_seed_set_a_keys_are_the_printed_keys():
    printed = dict(re.findall(r"(\d+)、([A-D])", SEED_A_KEY))
    assert len(printed) == 19
    # the key fits questions 1-5 of the first run and 6-19 of the second run (numbering restarts at 3)
    for n, key in printed.items():
        q = exam.question(f"a.sc{int(n):02d}")
        assert q.answer == key, q.id
        assert q.key_status.startswith("seed")
    seed_a = [q for q in exam.bank() if q.set == "seed-a"]
    assert sum(q.type == "single" for q in seed_a) == 22
    assert sum(q.type == "multi" for q in seed_a) == 8          # the 9th has no options in the source
    for qid in ("a.sc03b", "a.sc04b", "a.sc05b"):
        assert exam.question(qid).key_status == "proposed"     # no printed key for the renumbered three
    q14 = exam.question("a.sc14")                                # two options were both labelled B
    assert list(q14.options) == ["A", "B", "C", "D"] and q14.options["B"]["zh"] == "2小时"


def test_seed_set_b_has_twenty_choices_and_a_fill_in():
    seed_b = [q for q in exam.bank() if q.set == "seed-b"]
    assert sum(q.type == "single" for q in seed_b) == 20 and sum(q.type == "fill" for q in seed_b) == 1
    assert all(q.key_status in ("proposed", "unconfirmed") for q in seed_b)     # the source prints no key


def test_every_type_is_in_the_bank():
    have = {q.type for q in exam.bank()}
    assert have == set(exam.TYPES)
    assert len(exam.cases()) >= 10


COUNTS = {"single": 6, "multi": 3, "truefalse": 4, "term": 2, "short": 1, "case": 1}


def test_a_paper_is_deterministic_and_has_the_requested_counts():
    a = exam.draw(["m6", "m1"], COUNTS, seed=11)
    b = exam.draw("m1,m6", COUNTS, seed=11)
    assert a == b
    assert exam.draw(["m6", "m1"], COUNTS, seed=12) != a
    for t, n in COUNTS.items():
        assert sum(q.type == t for q in a.questions) == n
    assert {q.module for q in a.questions} <= {"m1", "m6"}
    assert len({q.id for q in a.questions}) == len(a.questions)
    assert all(q.drawn_by_default for q in a.questions)
    assert a.points == sum(q.points for q in a.questions)


def test_unconfirmed_keys_are_drawn_only_on_request():
    pool = exam.questions(["m1", "m4", "m5", "m6"], "single")
    assert "b.sc04" not in {q.id for q in pool}
    assert "b.sc04" in {q.id for q in exam.questions(["m6"], "single", include_unconfirmed=True)}


@pytest.mark.parametrize("kwargs, field", [
    ({"modules": ["m9"], "counts": {"single": 1}}, "module"),
    ({"modules": ["m5"], "counts": {"case": 50}}, "case"),
    ({"modules": None, "counts": {"essay": 1}}, "type"),
    ({"modules": None, "counts": {"single": -1}}, "single"),
    ({"modules": None, "counts": {}}, "counts"),
])
def test_bad_requests_raise_typed_errors(kwargs, field):
    with pytest.raises(ConfigError) as err:
        exam.draw(**kwargs)
    assert err.value.field == field
    assert err.value.message("zh") != str(err.value)            # a Chinese message exists


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_answer_sheet_keys_match_the_bank(lang):
    paper = exam.draw(None, {"single": 8, "multi": 4, "truefalse": 6, "fill": 1, "short": 1}, seed=3,
                       include_unconfirmed=True)
    md = exam.to_markdown(paper, lang, answers=True)
    found = re.findall(r"^\d+\. \[([\w.]+)\].*\n\s+\*\*[^:]+: (.+?)\*\*(?: — (.*))?$", md, flags=re.M)
    assert [qid for qid, _, _ in found] == [q.id for q in paper.questions]
    for qid, key, option_text in found:
        q = exam.question(qid)
        assert key == q.key_text(lang)
        if q.type in ("single", "multi"):          # the sheet also spells out the keyed options
            keys = q.answer if q.type == "multi" else [q.answer]
            assert option_text == "; ".join(f"{k}. {q.options[k][lang]}" for k in keys)
    blank = exam.to_markdown(paper, lang)
    for q in paper.questions:
        assert q.text(lang) in blank
    label = {"en": "Key:", "zh": "答案:"}[lang]
    assert label in md and label not in blank                    # the paper itself carries no key
    assert paper.questions[-1].answer[lang] not in blank          # nor the model answer


def test_true_false_keys_read_in_chinese():
    q = next(q for q in exam.bank() if q.type == "truefalse" and q.answer is False)
    assert q.key_text("zh") == "错" and q.key_text("en") == "false"


def _cjk_font_or_skip():
    try:
        return exam.find_font()
    except exam.MissingFont as err:
        pytest.skip(f"no CJK font on this machine ({err})")


@pytest.mark.slow
def test_pdf_paper_and_answers_contain_their_text(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    _cjk_font_or_skip()
    paper = exam.draw(["m6"], {"single": 3, "truefalse": 2, "case": 1}, seed=5)
    written = exam.write_paper(paper, tmp_path, "zh")
    names = sorted(p.name for p in written)
    assert names == ["answers-zh-5.md", "answers-zh-5.pdf", "paper-zh-5.md", "paper-zh-5.pdf"]

    def text(name):
        reader = pypdf.PdfReader(tmp_path / name)
        assert len(reader.pages) >= 1
        return re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in reader.pages))

    paper_text, answer_text = text("paper-zh-5.pdf"), text("answers-zh-5.pdf")
    assert "客户关系管理试卷" in paper_text
    assert "参考答案及评分标准" in answer_text
    for q in paper.questions:
        assert re.sub(r"\s+", "", q.text("zh"))[:12] in paper_text, q.id
        assert q.id in answer_text


def test_missing_font_is_a_typed_error_naming_the_font(monkeypatch, tmp_path):
    monkeypatch.setattr(exam, "_shipped_font", lambda: None)
    monkeypatch.setattr(exam, "_system_cjk_font", lambda: None)
    with pytest.raises(exam.MissingFont) as err:
        exam.find_font()
    assert err.value.field == "font" and "Noto Sans SC" in str(err.value)
    with pytest.raises(exam.MissingFont):
        exam.find_font(tmp_path / "nothing.ttf")
    paper = exam.draw(["m6"], {"single": 1}, seed=1)
    with pytest.raises(exam.MissingFont):
        exam.write_paper(paper, tmp_path, "zh")
    assert exam.write_paper(paper, tmp_path, "zh", pdf=False)[0].is_file()   # Markdown needs no font


def test_bank_questions_can_feed_the_concept_quiz():
    fed = exam.quiz_questions("m6")
    assert fed and all(q.module == "m6" for q in fed)
    for q in fed:
        check = q.check()
        assert isinstance(check, Choice)
        assert check.compare(q.answer, q.answer).status == "correct", q.id
        wrong = "B" if q.answer == "A" else "A"
        if not q.multi:
            assert check.compare(wrong, q.answer).status == "wrong", q.id


def test_exam_command_writes_paper_and_answers(tmp_path, capsys):
    rc = main(["exam", "--module", "m4", "--single", "3", "--truefalse", "2", "--seed", "9", "--lang", "en",
               "--out", str(tmp_path), "--no-pdf"])
    assert rc == 0
    assert (tmp_path / "paper-en-9.md").is_file() and (tmp_path / "answers-en-9.md").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["exam", "--module", "m9", "--single", "1", "--out", str(tmp_path)]) == 2
    assert main(["exam", "--list"]) == 0


def test_the_instructors_page_states_the_bank_as_it_is():
    from collections import Counter
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "course" / "question-bank.md").read_text(encoding="utf-8")
    total = re.search(r"^\| \*\*total\*\* \| \|(.*)\|$", page, flags=re.M).group(1)
    stated = [int(x) for x in re.findall(r"\*\*(\d+)\*\*", total)]
    have = Counter(q.type for q in exam.bank())
    assert stated == [have[t] for t in exam.TYPES]
    assert f"holds {len(exam.bank())} questions" in page
