"""PMI, the SGNS optimum and the truncated SVD, against brute force, autograd and an
exact SVD."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from w2v_lib.corpus import encode_corpus
from w2v_lib.pmi import (ppmi, ppmi_svd_vectors, sgns_optimum, to_torch_csr,
                         truncated_svd)
from w2v_lib.toy_corpus import load_toy_corpus


def expected_loss(x, pair, inputs, noise, k):
    """SGNS's loss for one pair in expectation over the noise words."""
    return -pair * F.logsigmoid(x) - k * inputs * noise * F.logsigmoid(-x)


def test_the_optimum_minimises_the_expected_loss():
    g = torch.Generator().manual_seed(0)
    pair = torch.randint(1, 1000, (50,), generator=g).double()
    inputs = pair + torch.randint(0, 10_000, (50,), generator=g).double()
    noise = torch.rand(50, generator=g, dtype=torch.float64) * 0.01 + 1e-5
    best = sgns_optimum(pair, inputs, noise, 5)
    # Newton's method on the convex loss, from zero, with autograd's derivatives
    x = torch.zeros(50, dtype=torch.float64)
    for _ in range(40):
        x.requires_grad_(True)
        (grad,) = torch.autograd.grad(expected_loss(x, pair, inputs, noise, 5).sum(), x,
                                      create_graph=True)
        (hess,) = torch.autograd.grad(grad.sum(), x)
        x = (x - (grad / hess).clamp(-2, 2)).detach()
    assert torch.allclose(best, x, atol=1e-9)


def test_with_unigram_noise_the_optimum_is_pmi_minus_log_k():
    counts = torch.tensor([[4.0, 1.0, 3.0], [1.0, 6.0, 2.0], [3.0, 2.0, 2.0]])
    total = counts.sum()
    p_w, p_c = counts.sum(1) / total, counts.sum(0) / total
    pmi = (counts / total / (p_w[:, None] * p_c[None, :])).log()
    got = sgns_optimum(counts, counts.sum(1, keepdim=True), p_c[None, :], 3)
    assert torch.allclose(got, pmi.double() - math.log(3))


def test_gradient_descent_on_two_tables_reaches_the_optimum():
    # Levy and Goldberg's assumption: with d >= V every dot product is free, and
    # minimising the whole expected loss puts each one at its own optimum
    counts = torch.tensor([[2.0, 8.0, 1.0, 4.0], [8.0, 0.5, 3.0, 1.0],
                           [1.0, 3.0, 6.0, 2.0], [4.0, 1.0, 2.0, 1.0]], dtype=torch.float64)
    noise = counts.sum(0) ** 0.75 / (counts.sum(0) ** 0.75).sum()
    inputs = counts.sum(1, keepdim=True)
    g = torch.Generator().manual_seed(1)
    w_in = torch.randn(4, 4, generator=g, dtype=torch.float64, requires_grad=True)
    w_out = torch.randn(4, 4, generator=g, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w_in, w_out], max_iter=1000, tolerance_grad=1e-12,
                                  tolerance_change=1e-15, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = expected_loss(w_in @ w_out.T, counts, inputs, noise[None, :], 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    assert torch.allclose(w_in @ w_out.T, sgns_optimum(counts, inputs, noise[None, :], 2),
                          atol=1e-5)


def brute_force_ppmi(counts, power, shift):
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    row, col = counts.sum(1), counts.sum(0)
    out = np.zeros_like(counts)
    for w in range(counts.shape[0]):
        for c in range(counts.shape[1]):
            if counts[w, c] > 0:
                p_context = col[c] ** power / (col ** power).sum()
                value = math.log(counts[w, c] / total / (row[w] / total * p_context))
                out[w, c] = max(0.0, value - math.log(shift))
    return out


@pytest.mark.parametrize("power, shift", [(1.0, 1.0), (0.75, 1.0), (0.75, 5.0), (0.5, 2.0)])
def test_ppmi_equals_the_brute_force_formula(power, shift):
    g = np.random.default_rng(3)
    counts = g.poisson(2.0, size=(25, 25)) * (g.random((25, 25)) < 0.4)
    got = ppmi(sp.csr_matrix(counts.astype(float)), context_power=power, shift=shift)
    assert got.dtype == np.float32
    assert np.allclose(got.toarray(), brute_force_ppmi(counts, power, shift), atol=1e-5)
    assert got.nnz == int((brute_force_ppmi(counts, power, shift) > 0).sum())


def test_ppmi_keeps_only_positive_values_of_counted_pairs():
    counts = sp.csr_matrix(np.array([[5.0, 0.0], [1.0, 4.0]]))
    got = ppmi(counts, context_power=1.0).toarray()
    assert got[0, 1] == 0 and (got >= 0).all()


def test_truncated_svd_matches_an_exact_svd():
    g = torch.Generator().manual_seed(4)
    # a sparse 300 x 200 matrix with a decaying spectrum
    low_rank = torch.randn(300, 12, generator=g) @ torch.randn(12, 200, generator=g)
    mask = torch.rand(300, 200, generator=g) < 0.3
    dense = (low_rank * mask).numpy().astype(np.float64)
    u, s, v = truncated_svd(sp.csr_matrix(dense), 10, power_iterations=6,
                            generator=torch.Generator().manual_seed(0))
    exact = np.linalg.svd(dense, compute_uv=False)[:10]
    assert u.shape == (300, 10) and s.shape == (10,) and v.shape == (200, 10)
    assert np.allclose(s.numpy(), exact, rtol=1e-3)
    # orthonormal columns, and U S V^T close to the best rank-10 approximation
    assert torch.allclose(u.T @ u, torch.eye(10), atol=1e-4)
    best = np.linalg.svd(dense)
    rank10 = best[0][:, :10] * best[1][:10] @ best[2][:10]
    assert np.abs((u * s @ v.T).numpy() - rank10).max() < 1e-2 * np.abs(rank10).max()


def test_truncated_svd_is_reproducible_with_a_generator():
    matrix = sp.random(100, 80, density=0.2, random_state=0, format="csr")
    first = truncated_svd(matrix, 5, generator=torch.Generator().manual_seed(7))
    second = truncated_svd(matrix, 5, generator=torch.Generator().manual_seed(7))
    assert all(torch.equal(a, b) for a, b in zip(first, second))


def test_ppmi_svd_vectors_on_the_toy_corpus():
    corpus = encode_corpus(lambda: load_toy_corpus(), min_count=2)
    result = ppmi_svd_vectors(corpus, dim=8, window=2, sample=0, shift=1.0)
    assert len(result.vectors) == len(corpus.vocab) and result.vectors.dim == 8
    assert result.pairs > result.ppmi_pairs > 0
    assert bool((result.singular_values[:-1] >= result.singular_values[1:]).all())


@pytest.mark.parametrize("call, message", [
    (lambda: ppmi(np.ones((2, 2))), "scipy sparse matrix"),
    (lambda: ppmi(sp.csr_matrix((2, 2))), "at least one pair"),
    (lambda: ppmi(sp.csr_matrix(np.array([[1.0, -1.0], [0, 1]]))), "no negative count"),
    (lambda: ppmi(sp.csr_matrix(np.eye(2)), shift=0), "shift must be positive"),
    (lambda: ppmi(sp.csr_matrix(np.eye(2)), context_power=2), "context_power"),
    (lambda: truncated_svd(sp.csr_matrix(np.eye(3)), 4), "dim must be"),
    (lambda: truncated_svd(np.eye(3), 2), "scipy sparse matrix"),
    (lambda: sgns_optimum(torch.ones(2), torch.ones(2), torch.ones(2), 0), "negatives"),
    (lambda: sgns_optimum(torch.ones(2), torch.zeros(2), torch.ones(2), 5), "positive"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_truncated_svd_is_the_algorithm_of_torch_svd_lowrank():
    # the same random start (a seeded generator, or the global one seeded alike)
    # gives the same singular values
    matrix = sp.random(120, 120, density=0.1, random_state=1, format="csr")
    ours = truncated_svd(matrix, 6, power_iterations=3, oversample=4,
                         generator=torch.Generator().manual_seed(3))
    torch.manual_seed(3)
    theirs = torch.svd_lowrank(to_torch_csr(matrix), q=10, niter=3)
    assert torch.allclose(ours[1], theirs[1][:6], rtol=1e-4)
    assert torch.allclose((ours[0] * ours[1]) @ ours[2].T,
                          (theirs[0][:, :6] * theirs[1][:6]) @ theirs[2][:, :6].T,
                          atol=1e-4)
