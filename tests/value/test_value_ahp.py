"""AHP: consistent matrices give exact weights by both methods; Saaty's RI; refusals name the cell."""
from __future__ import annotations

import numpy as np
import pytest

from crmlab.errors import DataError
import importlib

m = importlib.import_module("crmlab.value.ahp")

SAATY_RI = [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]   # WORKED-EXAMPLES B


def test_random_index_table():
    assert [m.RANDOM_INDEX[n] for n in range(1, 11)] == SAATY_RI


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10])
@pytest.mark.parametrize("method", ["eigen", "sum"])
def test_consistent_matrix_returns_its_weights(n, method):
    rng = np.random.default_rng(n)
    w = rng.uniform(0.1, 1.0, n)
    w = w / w.sum()
    A = w[:, None] / w[None, :]                      # a_ij = w_i / w_j (seed 002)
    res = m.ahp(A, method=method)
    np.testing.assert_allclose(res.weights.to_numpy(), w, rtol=1e-10, atol=1e-12)
    assert res.lambda_max == pytest.approx(n, abs=1e-9)
    assert res.ci == pytest.approx(0.0, abs=1e-9)
    assert res.cr == pytest.approx(0.0, abs=1e-9)
    assert res.consistent


def test_three_by_three_hand_values():
    A = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    e = m.ahp(A)
    np.testing.assert_allclose(e.weights.to_numpy(), [0.6370, 0.2583, 0.1047], atol=1e-4)
    assert e.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert e.ci == pytest.approx((e.lambda_max - 3) / 2)
    assert e.cr == pytest.approx(e.ci / 0.58)
    assert e.cr == pytest.approx(0.0332, abs=1e-4)
    s = m.ahp(A, method="sum")
    # column sums 23/15, 13/3, 9 → normalised columns, row sums /3, by hand
    cols = np.array(A) / np.array(A).sum(axis=0)
    np.testing.assert_allclose(s.weights.to_numpy(), cols.sum(axis=1) / 3, rtol=1e-12)
    np.testing.assert_allclose(s.weights.to_numpy(), [0.6333, 0.2605, 0.1062], atol=1e-4)


def test_inconsistent_matrix_is_flagged():
    A = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    res = m.ahp(A)
    assert res.cr >= 0.1 and not res.consistent
    assert "revise" in repr(res)


def test_refuses_non_reciprocal_matrix_naming_the_cell():
    A = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 2, 1]]
    with pytest.raises(DataError) as e:
        m.ahp(A, labels=["profit", "credit", "growth"])
    assert e.value.field == "matrix[growth, credit]"
    assert "reciprocal" in e.value.reason


@pytest.mark.parametrize("bad, cell", [(0, "matrix[c1, c2]"), (-2, "matrix[c1, c2]")])
def test_refuses_non_positive_cells(bad, cell):
    A = [[1, bad], [0.5, 1]]
    with pytest.raises(DataError) as e:
        m.ahp(A)
    assert e.value.field == cell and "positive" in e.value.reason


def test_refuses_bad_diagonal_shape_and_size():
    with pytest.raises(DataError) as e:
        m.ahp([[2, 1], [1, 1]])
    assert e.value.field == "matrix[c1, c1]"
    with pytest.raises(DataError) as e:
        m.ahp([[1, 2, 3], [0.5, 1, 1]])
    assert e.value.field == "matrix"
    with pytest.raises(DataError):
        m.ahp(np.ones((11, 11)))
    with pytest.raises(DataError) as e:
        m.ahp([[1, "x"], [1, 1]])
    assert e.value.field == "matrix"


def test_matrix_from_judgements_builds_reciprocals():
    A = m.matrix_from_judgements(["a", "b", "c"], {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2})
    assert A.loc["c", "a"] == pytest.approx(0.25)
    res = m.ahp(A)
    np.testing.assert_allclose(res.weights.to_numpy(), [4 / 7, 2 / 7, 1 / 7], rtol=1e-10)
