"""Build the test lab's source notebook and hostile variants of it (test fixtures)."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

LAB = "crmlabfake.lab"

PARAMS = 'student_id = "demo"; seed = None; n_customers = None; db_url = None; lang = "en"'
SETUP = ("import crmlab\n"
         f'lab = crmlab.Lab("{LAB}", student_id=student_id, seed=seed, n_customers=n_customers, '
         "db_url=db_url, lang=lang)")
Q1 = '### BEGIN SOLUTION\nanswer_q1 = len(lab.table("orders"))\n### END SOLUTION\nlab.check("q1", answer_q1)'
Q2 = ('### BEGIN SOLUTION\nanswer_q2 = (lab.table("orders").groupby("customer_id").size()\n'
      '             .rename("n_orders").reset_index())\n### END SOLUTION\nlab.check("q2", answer_q2)')
Q3 = '### BEGIN SOLUTION\nanswer_q3 = "analytical"\n### END SOLUTION\nlab.check("q3", answer_q3)'
Q4 = '### BEGIN SOLUTION\nanswer_q4 = "RFM"\n### END SOLUTION\nlab.check("q4", answer_q4)'
QUIZ = 'lab.quiz("m1")'
PROGRESS = "lab.progress()"


def source_notebook(*, q1=Q1, before_q1=(), after_q1=(), after_setup=(), before_setup=(), quiz=QUIZ):
    cells = [new_markdown_cell("# Test lab\nCount the orders.\n### BEGIN SOLUTION\nIt is the number of rows.\n### END SOLUTION"),
             new_code_cell(PARAMS, metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(c) for c in before_setup]
    cells.append(new_code_cell(SETUP))
    cells += [new_code_cell(c) for c in after_setup]
    cells += [new_code_cell(c) for c in before_q1]
    cells.append(new_code_cell(q1))
    cells += [new_code_cell(c) for c in after_q1]
    cells += [new_code_cell(Q2), new_code_cell(Q3), new_code_cell(Q4), new_code_cell(quiz),
              new_code_cell(PROGRESS)]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write(nb, path):
    nbformat.write(nb, str(path))
    return path
