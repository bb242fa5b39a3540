"""``crmlab exam``: draw an examination paper and its answer sheet from the question bank."""
from __future__ import annotations

import argparse

EXAM_HELP = """Draw an examination paper (试卷) and its answer sheet (参考答案及评分标准) from the question bank.

Choose the modules (m1..m6, default all) and how many questions of each type; the same modules,
counts and --seed always give the same paper. Writes paper-<lang>-<seed>.md and
answers-<lang>-<seed>.md into OUT, and a PDF of each unless --no-pdf. The answer sheet gives
every key, model answer and marking rubric, with the course section that teaches it.

Questions whose key is unconfirmed (the course material prints none and the course text does not
settle it) or doubtful are left out unless --include-unconfirmed.

Example:
  crmlab exam --module m6 --module m1 --single 10 --multi 5 --truefalse 10 --term 3 --short 2 \\
              --case 1 --seed 2026 --lang zh --out exam/
  crmlab exam --list          # the bank: questions per module and type
"""


def _exam(args) -> int:
    from crmlab import i18n
    from crmlab.teaching import exam

    if args.list:
        print(exam.counts_table().to_string())
        return 0
    counts = {t: getattr(args, t) for t in exam.TYPES if getattr(args, t)}
    paper = exam.draw(args.module, counts, args.seed, include_unconfirmed=args.include_unconfirmed)
    for path in exam.write_paper(paper, args.out, args.lang, pdf=not args.no_pdf, font=args.font):
        print(i18n.t("exam.written", lang=args.lang, path=path))
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    from crmlab.teaching.exam import TYPES

    p = subparsers.add_parser("exam", help="draw an examination paper and answer sheet from the question bank",
                              description=EXAM_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--module", action="append", metavar="MODULE",
                   help="m1..m6; repeat or separate by commas (default: all modules)")
    names = {"single": "single-choice", "multi": "multiple-choice", "truefalse": "true/false", "fill": "fill-in",
             "term": "term-definition (名词解释)", "short": "short-answer (简答)", "case": "case-analysis (案例分析)"}
    for t in TYPES:
        p.add_argument(f"--{t}", type=int, default=0, metavar="N", help=f"number of {names[t]} questions")
    p.add_argument("--seed", type=int, default=0, help="paper seed: same seed, same paper (default 0)")
    p.add_argument("--lang", choices=["en", "zh"], default="zh", help="language of the paper (default zh)")
    p.add_argument("--out", default="exam", metavar="FOLDER", help="output folder (default ./exam)")
    p.add_argument("--no-pdf", action="store_true", help="write Markdown only")
    p.add_argument("--font", metavar="PATH", help="a .ttf/.otf/.ttc font with Chinese characters for the PDF")
    p.add_argument("--include-unconfirmed", action="store_true",
                   help="also draw questions whose key is unconfirmed or doubtful")
    p.add_argument("--list", action="store_true", help="print the number of questions per module and type, then exit")
    p.set_defaults(func=_exam)
    return p
