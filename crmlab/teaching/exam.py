"""The question bank (试题库) and examination papers drawn from it.

The bank lives in ``crmlab/teaching/bank/*.json``: the course material's own exercise sets
(``seed_set_a.json``, ``seed_set_b.json``), concept questions for every item of
``course/coverage.md`` (``concepts.json``), term definitions and short answers (``written.json``)
and case questions with the case texts (``cases.json``). Every question, option, answer, rubric
and case text is stored in English and Chinese.

>>> from crmlab.teaching import exam
>>> q = exam.question("a.sc14")
>>> q.type, q.answer, q.key_status
('single', 'B', 'seed-relabelled')
>>> paper = exam.draw(modules=["m6"], counts={"single": 3, "truefalse": 2}, seed=7)
>>> [p.type for p in paper.questions]
['single', 'single', 'single', 'truefalse', 'truefalse']
>>> paper == exam.draw(modules=["m6"], counts={"single": 3, "truefalse": 2}, seed=7)
True
"""
from __future__ import annotations

import functools
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from crmlab import i18n
from crmlab.errors import ConfigError, DataError, NotFound
from crmlab.teaching import exam_messages  # noqa: F401  (registers the exam.* messages)

BANK_DIR = Path(__file__).with_name("bank")
MODULES = ("m1", "m2", "m3", "m4", "m5", "m6")
TYPES = ("single", "multi", "truefalse", "fill", "term", "short", "case")     # also the order on a paper
CHOICE_TYPES = ("single", "multi")
WRITTEN_TYPES = ("term", "short", "case")
LANGS = ("en", "zh")
#: Where a key comes from. Keys the course text or the source settles are drawn by default;
#: "unconfirmed" (no key anywhere) and "seed-doubtful" (a printed key we believe wrong) only on request.
KEY_STATUSES = ("seed", "seed-relabelled", "seed-reworded", "seed-doubtful", "proposed", "course", "unconfirmed")
NOT_DRAWN_BY_DEFAULT = ("unconfirmed", "seed-doubtful")
ID_RE = re.compile(r"^[a-z]+(\.[a-z0-9]+)+$")
COVER_RE = re.compile(r"^\d{3}-\d{3}$")
TAUGHT_RE = re.compile(r"^course/[\w./-]+\.md( §\d+)?$")


class MissingFont(ConfigError):
    """No font able to show Chinese characters is available for the PDF."""


def _t(key: str, lang: str = "en", **fmt) -> str:
    return i18n.t(key, lang=lang, **fmt)


def _fail(cls, field_name: str, key: str, **params):
    raise cls(field_name, _t(key, "en", **params), key=key, **params)


@dataclass(frozen=True)
class BankQuestion:
    """One question of the bank. Text fields are ``{"en": ..., "zh": ...}`` dicts."""

    id: str
    set: str
    module: str
    type: str
    stem: dict
    answer: object
    points: int
    key_status: str
    covers: tuple = ()
    taught: str = ""
    options: dict = field(default_factory=dict)
    accept: tuple = ()
    rubric: tuple = ()
    key_note: dict | None = None
    source: str | None = None
    case: str | None = None

    def text(self, lang: str = "en") -> str:
        return self.stem[lang]

    def option_items(self, lang: str = "en") -> list[tuple[str, str]]:
        return [(k, v[lang]) for k, v in self.options.items()]

    def key_text(self, lang: str = "en") -> str:
        """The answer as printed on the answer sheet (letters, 对/错, or the model answer)."""
        if self.type in CHOICE_TYPES:
            return "".join(self.answer) if self.type == "multi" else str(self.answer)
        if self.type == "truefalse":
            return _t("exam.true" if self.answer else "exam.false", lang)
        return self.answer[lang]

    @property
    def drawn_by_default(self) -> bool:
        return self.key_status not in NOT_DRAWN_BY_DEFAULT


@dataclass(frozen=True)
class Paper:
    """A drawn paper: the questions in paper order, and what was asked for."""

    questions: tuple
    modules: tuple
    counts: tuple          # ((type, n), ...) in TYPES order
    seed: int

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)


# ------------------------------------------------------------------ loading and validation
def _bilingual_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        return [f"{where}: needs exactly the keys 'en' and 'zh'"]
    return [f"{where}.{lang}: must be non-empty text" for lang in LANGS
            if not isinstance(value[lang], str) or not value[lang].strip()]


def validate_document(doc: dict, name: str = "bank") -> list[str]:
    """Every schema problem of one bank file (an empty list when it is valid)."""
    problems: list[str] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        return [f"{name}: a JSON object with a 'questions' list is required"]
    for key in ("title", "description"):
        problems += _bilingual_problems(doc.get(key), f"{name}.{key}")
    cases = doc.get("cases", {})
    for cid, case in cases.items():
        problems += _bilingual_problems(case.get("title"), f"{name}.cases.{cid}.title")
        problems += _bilingual_problems(case.get("text"), f"{name}.cases.{cid}.text")
    for i, q in enumerate(doc["questions"]):
        where = f"{name}[{q.get('id', i)}]"
        qid, typ = q.get("id"), q.get("type")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            problems.append(f"{where}.id: must look like 'a.sc01' (lower case, dotted)")
        if q.get("module") not in MODULES:
            problems.append(f"{where}.module: must be one of {list(MODULES)}")
        if typ not in TYPES:
            problems.append(f"{where}.type: must be one of {list(TYPES)}")
            continue
        if q.get("key_status") not in KEY_STATUSES:
            problems.append(f"{where}.key_status: must be one of {list(KEY_STATUSES)}")
        if not isinstance(q.get("points"), int) or isinstance(q.get("points"), bool) or q["points"] < 1:
            problems.append(f"{where}.points: must be a whole number ≥ 1")
        problems += _bilingual_problems(q.get("stem"), f"{where}.stem")
        covers = q.get("covers", [])
        if not isinstance(covers, list) or not covers or not all(isinstance(c, str) and COVER_RE.match(c) for c in covers):
            problems.append(f"{where}.covers: a non-empty list of coverage items like '002-142'")
        if not isinstance(q.get("taught"), str) or not TAUGHT_RE.match(q["taught"]):
            problems.append(f"{where}.taught: must name a course file and section, e.g. 'course/07-customer-service.md §1'")
        if "key_note" in q:
            problems += _bilingual_problems(q["key_note"], f"{where}.key_note")
        ans = q.get("answer")
        if typ in CHOICE_TYPES:
            opts = q.get("options")
            if not isinstance(opts, dict) or len(opts) < 2 or list(opts) != list("ABCDEF"[:len(opts)]):
                problems.append(f"{where}.options: at least two options labelled A, B, C … in order")
                continue
            for k, v in opts.items():
                problems += _bilingual_problems(v, f"{where}.options.{k}")
            keys = [ans] if typ == "single" else ans
            if typ == "single" and not isinstance(ans, str):
                problems.append(f"{where}.answer: one option letter")
            elif typ == "multi" and (not isinstance(ans, list) or len(ans) < 2 or ans != sorted(set(ans))):
                problems.append(f"{where}.answer: a sorted list of at least two distinct option letters")
            elif any(k not in opts for k in keys):
                problems.append(f"{where}.answer: {ans!r} is not among the options {list(opts)}")
        elif typ == "truefalse":
            if not isinstance(ans, bool):
                problems.append(f"{where}.answer: true or false")
        else:
            problems += _bilingual_problems(ans, f"{where}.answer")
        if typ in WRITTEN_TYPES:
            rubric = q.get("rubric")
            if not isinstance(rubric, list) or not rubric:
                problems.append(f"{where}.rubric: a non-empty list of marking points")
            else:
                for j, r in enumerate(rubric):
                    if not isinstance(r.get("points"), int) or r["points"] < 1:
                        problems.append(f"{where}.rubric[{j}].points: a whole number ≥ 1")
                    problems += _bilingual_problems({k: r.get(k) for k in LANGS}, f"{where}.rubric[{j}]")
                if sum(r.get("points", 0) for r in rubric if isinstance(r.get("points"), int)) != q.get("points"):
                    problems.append(f"{where}.points: must equal the sum of the rubric's points")
        if typ == "case" and q.get("case") not in cases:
            problems.append(f"{where}.case: must name a case of this file's 'cases'")
    return problems


@functools.lru_cache(maxsize=4)
def _load(bank_dir: str) -> tuple[tuple[BankQuestion, ...], dict]:
    questions: list[BankQuestion] = []
    cases: dict = {}
    seen: dict[str, str] = {}
    files = sorted(Path(bank_dir).glob("*.json"))
    if not files:
        _fail(DataError, "bank", "exam.bad_bank", file=bank_dir, problem="no *.json files")
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail(DataError, "bank", "exam.bad_bank", file=path.name, problem=str(exc))
        problems = validate_document(doc, path.name)
        if problems:
            _fail(DataError, "bank", "exam.bad_bank", file=path.name, problem="; ".join(problems[:5]))
        cases.update(doc.get("cases", {}))
        for q in doc["questions"]:
            if q["id"] in seen:
                _fail(DataError, "bank", "exam.bad_bank", file=path.name,
                      problem=f"question id {q['id']!r} also in {seen[q['id']]}")
            seen[q["id"]] = path.name
            questions.append(BankQuestion(
                id=q["id"], set=doc.get("set", path.stem), module=q["module"], type=q["type"], stem=q["stem"],
                answer=q["answer"], points=q["points"], key_status=q["key_status"], covers=tuple(q["covers"]),
                taught=q["taught"], options=q.get("options", {}), accept=tuple(q.get("accept", ())),
                rubric=tuple(q.get("rubric", ())), key_note=q.get("key_note"), source=q.get("source"),
                case=q.get("case")))
    return tuple(questions), cases


def bank(bank_dir: str | Path | None = None) -> list[BankQuestion]:
    """Every question of the bank (validated; a broken file raises DataError naming it)."""
    return list(_load(str(bank_dir or BANK_DIR))[0])


def cases(bank_dir: str | Path | None = None) -> dict:
    """The case texts: ``{case_id: {"title": {en, zh}, "text": {en, zh}, "file": ...}}``."""
    return dict(_load(str(bank_dir or BANK_DIR))[1])


def question(qid: str, bank_dir: str | Path | None = None) -> BankQuestion:
    for q in bank(bank_dir):
        if q.id == qid:
            return q
    _fail(NotFound, "question", "exam.unknown_question", value=qid)


def _modules(modules) -> tuple[str, ...]:
    if modules is None or modules == [] or modules == ():
        return MODULES
    if isinstance(modules, str):
        modules = [modules]
    modules = [m for item in modules for m in re.split(r"[,\s]+", str(item)) if m]
    out = []
    for m in modules:
        m = str(m).strip().lower()
        if m.isdigit():
            m = f"m{int(m)}"
        if m not in MODULES:
            _fail(ConfigError, "module", "exam.bad_module", value=m, modules=", ".join(MODULES))
        if m not in out:
            out.append(m)
    return tuple(sorted(out))


def questions(modules=None, types=None, *, include_unconfirmed: bool = False,
              bank_dir: str | Path | None = None) -> list[BankQuestion]:
    """Bank questions of the given modules and types (all by default), in bank order."""
    mods = _modules(modules)
    if types is None:
        types = TYPES
    elif isinstance(types, str):
        types = [types]
    for t in types:
        if t not in TYPES:
            _fail(ConfigError, "type", "exam.bad_type", value=t, types=", ".join(TYPES))
    return [q for q in bank(bank_dir) if q.module in mods and q.type in types
            and (include_unconfirmed or q.drawn_by_default)]


def counts_table(bank_dir: str | Path | None = None):
    """Questions per module and type (all key statuses), as a DataFrame — the bank at a glance."""
    import pandas as pd

    rows = [{"module": q.module, "type": q.type} for q in bank(bank_dir)]
    table = pd.crosstab(pd.DataFrame(rows).module, pd.DataFrame(rows).type)
    return table.reindex(columns=[t for t in TYPES if t in table.columns], fill_value=0)


# ------------------------------------------------------------------ drawing a paper
def draw(modules=None, counts: dict | None = None, seed: int = 0, *, include_unconfirmed: bool = False,
         bank_dir: str | Path | None = None) -> Paper:
    """Draw a paper: ``counts`` maps a type to how many questions of it (e.g. ``{"single": 10,
    "short": 2}``). The same modules, counts and seed always give the same paper."""
    mods = _modules(modules)
    counts = dict(counts or {})
    for t, n in counts.items():
        if t not in TYPES:
            _fail(ConfigError, "type", "exam.bad_type", value=t, types=", ".join(TYPES))
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            _fail(ConfigError, t, "exam.bad_count", value=n)
    if not any(counts.values()):
        _fail(ConfigError, "counts", "exam.empty")
    if isinstance(seed, bool) or not isinstance(seed, int):
        _fail(ConfigError, "seed", "exam.bad_count", value=seed)
    rng = random.Random(seed)
    chosen = []
    for t in TYPES:
        n = counts.get(t, 0)
        if not n:
            continue
        pool = sorted(questions(mods, t, include_unconfirmed=include_unconfirmed, bank_dir=bank_dir), key=lambda q: q.id)
        if len(pool) < n:
            _fail(ConfigError, t, "exam.too_few", want=n, type=t, modules=", ".join(mods), have=len(pool))
        chosen += sorted(rng.sample(pool, n), key=lambda q: (MODULES.index(q.module), q.id))
    return Paper(tuple(chosen), mods, tuple((t, counts[t]) for t in TYPES if counts.get(t)), seed)


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        _fail(ConfigError, "lang", "exam.bad_lang", value=lang)
    return lang


def _sections(paper: Paper):
    for t in TYPES:
        qs = [q for q in paper.questions if q.type == t]
        if qs:
            yield t, qs


_ZH_NUMBERS = "一二三四五六七"


def _section_title(i: int, t: str, qs, lang: str) -> str:
    number = _ZH_NUMBERS[i] if lang == "zh" else str(i + 1)
    return _t("exam.section", lang, number=number, name=_t(f"exam.type.{t}", lang), n=len(qs),
              points=sum(q.points for q in qs))


def paper_blocks(paper: Paper, lang: str = "en", *, answers: bool = False) -> list[tuple[str, str]]:
    """The paper (or its answer sheet) as ``(kind, text)`` blocks — kinds ``title``, ``meta``,
    ``section``, ``question``, ``option``, ``case``, ``key``, ``keyopt``, ``label``, ``text``, ``space``
    (room to answer: ``"label|points"``) — the one layout
    both the Markdown and the PDF writers print."""
    _check_lang(lang)
    blocks = [("title", _t("exam.answers_title" if answers else "exam.title", lang)),
              ("meta", _t("exam.meta", lang, modules=", ".join(paper.modules), seed=paper.seed,
                          n=len(paper.questions), points=paper.points))]
    texts = cases()
    number = 0
    for i, (t, qs) in enumerate(_sections(paper)):
        blocks.append(("section", _section_title(i, t, qs, lang)))
        shown_cases = set()
        for q in qs:
            number += 1
            pts = _t("exam.points", lang, points=q.points)
            if not answers:
                if q.type == "case" and q.case not in shown_cases:
                    shown_cases.add(q.case)
                    blocks.append(("label", _t("exam.read_case", lang, title=texts[q.case]["title"][lang])))
                    blocks.append(("case", texts[q.case]["text"][lang]))
                stem = q.text(lang)
                if q.type == "truefalse":
                    stem = f"{stem} {_t('exam.tf_prompt', lang)}"
                blocks.append(("question", f"{number}. {stem} ({pts}) [{q.id}]"))
                for k, v in q.option_items(lang):
                    blocks.append(("option", f"{k}. {v}"))
                if q.type in WRITTEN_TYPES:     # room to write: about one line per point
                    blocks.append(("space", f"{_t('exam.answer_space', lang)}|{q.points}"))
                continue
            blocks.append(("question", f"{number}. [{q.id}] ({pts}) {q.text(lang)}"))
            label = "exam.key" if q.type in CHOICE_TYPES + ("truefalse", "fill") else "exam.model_answer"
            blocks.append(("key", f"{_t(label, lang)}: {q.key_text(lang)}"))
            if q.type in CHOICE_TYPES:      # the key's option text, so the sheet reads without the paper
                keys = q.answer if q.type == "multi" else [q.answer]
                blocks.append(("keyopt", "; ".join(f"{k}. {q.options[k][lang]}" for k in keys)))
            if q.rubric:
                blocks.append(("label", _t("exam.rubric", lang) + ":"))
                for r in q.rubric:
                    blocks.append(("option", f"{_t('exam.points', lang, points=r['points'])} — {r[lang]}"))
            if q.key_note:
                blocks.append(("text", f"{_t('exam.note', lang)}: {q.key_note[lang]}"))
            blocks.append(("text", f"{_t('exam.taught', lang)}: {q.taught}" +
                           (f" · {_t('exam.source', lang)}: {q.source}" if q.source else "")))
    return blocks


def to_markdown(paper: Paper, lang: str = "en", *, answers: bool = False) -> str:
    """The paper or its answer sheet as Markdown."""
    out = []
    for kind, text in paper_blocks(paper, lang, answers=answers):
        if kind == "title":
            out += [f"# {text}", ""]
        elif kind == "meta":
            out += [f"*{text}*", ""]
        elif kind == "section":
            out += ["", f"## {text}", ""]
        elif kind == "question":
            out += ([] if out and out[-1] == "" else [""]) + [text]
        elif kind == "option":
            out.append(f"   - {text}")
        elif kind == "case":
            out += ["", f"> {text}"]
        elif kind == "key":
            out.append(f"   **{text}**")
        elif kind == "keyopt":
            out[-1] += f" — {text}"
        elif kind == "space":
            out += ["", f"   {text.split('|')[0]}", ""]     # the PDF leaves the writing room
        elif kind == "label":
            out += ["", f"**{text}**"]
        else:
            out.append(f"   {text}")
    return "\n".join(out).strip() + "\n"


# ------------------------------------------------------------------ PDF
_CJK_NAMES = re.compile(r"Noto Sans (CJK )?SC|Source Han Sans (CN|SC)|WenQuanYi|SimHei|Microsoft YaHei|PingFang SC|"
                        r"Heiti SC|Noto Serif (CJK )?SC|Droid Sans Fallback|AR PL", re.I)


def _shipped_font() -> Path | None:
    try:
        from crmlab import fonts  # shipped OFL Noto Sans SC subset, when present
    except ImportError:
        return None
    try:
        path = Path(fonts.font_path())
    except Exception:  # a broken or missing shipped font: fall back to the system's
        return None
    return path if path.is_file() else None


def _system_cjk_font() -> Path | None:
    from matplotlib import font_manager

    # sans before serif, regular weight before others; .ttc collections are fine (the SC face is picked)
    found = sorted(("serif" in e.name.lower() and "sans" not in e.name.lower(), e.weight not in (400, "normal"), e.fname)
                   for e in font_manager.fontManager.ttflist if _CJK_NAMES.search(e.name))
    return Path(found[0][2]) if found else None


def find_font(font: str | Path | None = None) -> Path:
    """The font for Chinese text in a PDF: ``font`` if given, else the shipped ``crmlab.fonts``
    font, else a system CJK font found by matplotlib; :class:`MissingFont` if there is none."""
    if font is not None:
        path = Path(font)
        if not path.is_file():
            _fail(MissingFont, "font", "exam.bad_font", path=str(path), why="no such file")
        return path
    path = _shipped_font() or _system_cjk_font()
    if path is None:
        _fail(MissingFont, "font", "exam.no_font")
    return path


def _collection_index(path: Path) -> int:
    """For a .ttc collection, the index of its Simplified-Chinese face (0 otherwise)."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as coll:
        for i, f in enumerate(coll.fonts):
            name = f["name"].getDebugName(1) or ""
            if re.search(r"\bSC\b|CN|GB", name):
                return i
    return 0


def to_pdf(paper: Paper, path: str | Path, lang: str = "en", *, answers: bool = False,
           font: str | Path | None = None) -> Path:
    """Write the paper (or its answer sheet) as a PDF with a font that shows Chinese."""
    try:
        from fpdf import FPDF
        from fpdf.enums import WrapMode, XPos, YPos
    except ImportError:
        _fail(ConfigError, "pdf", "exam.no_pdf_lib")
    font_path = find_font(font)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 15, 18)
    try:
        pdf.add_font("cjk", "", str(font_path), collection_font_number=_collection_index(font_path))
    except Exception as exc:  # not a usable TrueType/OpenType font
        _fail(MissingFont, "font", "exam.bad_font", path=str(font_path), why=type(exc).__name__)
    pdf.add_page()
    wrap = WrapMode.CHAR if lang == "zh" else WrapMode.WORD
    style = {"title": (16, 9, 0), "meta": (9, 5, 0), "section": (12, 7, 0), "question": (10.5, 5.6, 0),
             "option": (10, 5.2, 6), "case": (9.5, 5.0, 4), "key": (10, 5.4, 6), "keyopt": (9.5, 5.0, 10), "label": (10, 5.4, 0),
             "text": (9, 4.8, 6)}
    for kind, text in paper_blocks(paper, lang, answers=answers):
        if kind == "space":
            label, points = text.split("|")
            pdf.set_font("cjk", size=10)
            pdf.set_x(pdf.l_margin + 6)
            pdf.cell(0, 6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(6 * min(int(points), 12))
            continue
        size, height, indent = style[kind]
        if kind in ("section", "question", "label"):
            pdf.ln(2 if kind != "section" else 4)
        pdf.set_font("cjk", size=size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, height, text, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def write_paper(paper: Paper, out: str | Path, lang: str = "en", *, pdf: bool = True,
                font: str | Path | None = None) -> list[Path]:
    """Write ``paper-<lang>-<seed>.md`` and ``answers-<lang>-<seed>.md`` (and their PDFs) into ``out``."""
    _check_lang(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for answers, stem in ((False, "paper"), (True, "answers")):
        md = out / f"{stem}-{lang}-{paper.seed}.md"
        md.write_text(to_markdown(paper, lang, answers=answers), encoding="utf-8")
        written.append(md)
        if pdf:
            written.append(to_pdf(paper, md.with_suffix(".pdf"), lang, answers=answers, font=font))
    return written


# ------------------------------------------------------------------ feeding the concept quiz
def quiz_questions(module: str, *, include_unconfirmed: bool = False):
    """Bank choice and true/false questions of one module as :class:`crmlab.teaching.quizbank.Question`
    objects (ids ``"<module>.<bank id>"``), so a lab's quiz widget can show them next to the
    module's concept quiz."""
    from crmlab.teaching.quizbank import Question

    out = []
    for q in questions(module, ("single", "multi", "truefalse"), include_unconfirmed=include_unconfirmed):
        if q.type == "truefalse":
            options = {"A": (_t("exam.true", "en"), _t("exam.true", "zh")),
                       "B": (_t("exam.false", "en"), _t("exam.false", "zh"))}
            answer = "A" if q.answer else "B"
        else:
            options = {k: (v["en"], v["zh"]) for k, v in q.options.items()}
            answer = list(q.answer) if q.type == "multi" else q.answer
        concept = "bank"
        out.append(Question(f"{q.module}.{q.id}", concept, q.stem["en"], q.stem["zh"], answer, options,
                            multi=q.type == "multi"))
    return out


__all__ = ["BankQuestion", "Paper", "MissingFont", "BANK_DIR", "MODULES", "TYPES", "KEY_STATUSES", "bank", "cases",
           "question", "questions", "counts_table", "draw", "paper_blocks", "to_markdown", "to_pdf", "write_paper",
           "find_font", "validate_document", "quiz_questions"]
