"""Pointwise mutual information, and word vectors from a factorization of it
(chapter 8).

Levy and Goldberg (2014) showed that skip-gram with negative sampling, given enough
dimensions, drives the dot product of a word's input vector and a context's output
vector to

    x*(w, c) = log( #(w, c) / (k * #(w) * P_n(c)) )

where ``#(w, c)`` counts the pair, ``#(w)`` the pairs whose input word is ``w``,
``P_n`` is the noise distribution and ``k`` the number of noise words
(:func:`sgns_optimum`). With ``P_n(c) = #(c) / |D|`` (``|D|`` pairs in all) that is the
pointwise mutual information ``PMI(w, c) = log(P(w, c) / (P(w) P(c)))`` shifted down by
``log k``; with word2vec's power 0.75 it is the PMI with a *smoothed* context
distribution ``P_a(c) = #(c)**a / sum_c' #(c')**a`` (Levy, Goldberg and Dagan 2015).

The same matrix can be built by counting and factorized directly:

* :func:`ppmi`: the shifted, smoothed, positive PMI of a sparse matrix of counts
  (negative and undefined entries become 0, which keeps it sparse);
* :func:`truncated_svd`: its leading singular vectors, by randomized SVD (Halko,
  Martinsson and Tropp 2011) on sparse matrix products;
* :func:`ppmi_svd_vectors`: corpus to word vectors in one call, with every knob of
  the chapter (window, weighting, subsampling, smoothing, shift, dimension, and the
  power of the singular values given to the word vectors).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from .cooccurrence import cooccurrence_counts
from .corpus import EncodedCorpus
from .subsampling import keep_probabilities
from .vectors import WordVectors

__all__ = ["sgns_optimum", "ppmi", "to_torch_csr", "truncated_svd", "CountVectors",
           "ppmi_svd_vectors"]


def sgns_optimum(pair_counts: torch.Tensor, input_counts: torch.Tensor,
                 noise_probs: torch.Tensor, negatives: int) -> torch.Tensor:
    """The dot product ``u_c . v_w`` at which SGNS's expected loss for the pair is
    smallest: ``log(#(w, c) / (k #(w) P_n(c)))``, elementwise (float64).

    Introduced in chapter 8. ``pair_counts`` holds ``#(w, c)``, ``input_counts`` the
    number of pairs whose input word is ``w``, ``noise_probs`` ``P_n(c)``. A pair never
    seen has the optimum ``-inf``.
    """
    if isinstance(negatives, bool) or not isinstance(negatives, int) or negatives < 1:
        raise ValueError(f"negatives must be a whole number of at least 1, got {negatives!r}.")
    pair_counts, input_counts, noise_probs = (torch.as_tensor(t, dtype=torch.float64)
                                              for t in (pair_counts, input_counts, noise_probs))
    if bool((pair_counts < 0).any()) or bool((input_counts <= 0).any()) \
            or bool((noise_probs <= 0).any()):
        raise ValueError("pair counts must be 0 or more, input counts and noise "
                         "probabilities positive.")
    return (pair_counts.log() - input_counts.log() - noise_probs.log()) - math.log(negatives)


def ppmi(counts: sp.spmatrix, *, context_power: float = 0.75, shift: float = 1.0
         ) -> sp.csr_matrix:
    """``max(0, PMI_a(w, c) - log shift)`` for every counted pair, as a sparse matrix
    (float32); pairs never counted stay 0.

    Introduced in chapter 8. ``PMI_a(w, c) = log(#(w, c) Z / (#(w) #(c)**a))`` with
    ``#(w)`` the row sums, ``#(c)`` the column sums and ``Z = sum_c #(c)**a``:
    ``context_power=1`` is the plain PMI, 0.75 word2vec's smoothing, and ``shift`` plays
    the part of SGNS's number of noise words ``k``.
    """
    if not sp.issparse(counts) or counts.ndim != 2:
        raise ValueError("counts must be a 2-D scipy sparse matrix, such as the one "
                         "cooccurrence.cooccurrence_counts returns.")
    if not 0 <= context_power <= 1:
        raise ValueError(f"context_power must lie between 0 and 1, got {context_power}.")
    if not shift > 0:
        raise ValueError(f"shift must be positive (1 for no shift, k for log k), got {shift}.")
    counts = sp.coo_matrix(counts)
    counts.sum_duplicates()
    if counts.nnz == 0 or bool((counts.data < 0).any()):
        raise ValueError("counts must hold at least one pair, and no negative count.")
    # keep only the counted pairs: log(0) has no place in a sparse matrix
    positive = counts.data > 0
    rows, cols, data = counts.row[positive], counts.col[positive], counts.data[positive]
    row_sums = np.bincount(rows, weights=data, minlength=counts.shape[0])
    col_sums = np.bincount(cols, weights=data, minlength=counts.shape[1])
    smoothed = col_sums ** context_power
    log_context = np.log(smoothed[cols] / smoothed.sum())  # log P_a(c)
    log_word = np.log(row_sums[rows] / data.sum())          # log P(w)
    values = np.log(data / data.sum()) - log_word - log_context - math.log(shift)
    keep = values > 0
    return sp.csr_matrix((values[keep].astype(np.float32), (rows[keep], cols[keep])),
                         shape=counts.shape)


def to_torch_csr(matrix: sp.spmatrix, device: torch.device | str = "cpu") -> torch.Tensor:
    """A SciPy sparse matrix as a PyTorch sparse CSR tensor of float32, on ``device``.

    Introduced in chapter 8.
    """
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    with warnings.catch_warnings():
        # PyTorch calls its sparse CSR support "beta"; products with dense matrices,
        # all this module needs, are tested here against an exact SVD
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(torch.from_numpy(matrix.indptr.astype(np.int64)),
                                       torch.from_numpy(matrix.indices.astype(np.int64)),
                                       torch.from_numpy(matrix.data), size=matrix.shape,
                                       device=device, check_invariants=True)


def truncated_svd(matrix: sp.spmatrix, dim: int, *, power_iterations: int = 4,
                  oversample: int = 10, generator: torch.Generator | None = None,
                  device: torch.device | str = "cpu"
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The ``dim`` leading singular triplets ``(U, S, V)`` of a sparse matrix, with
    ``matrix ~ U diag(S) V^T``, by randomized SVD (float32).

    Introduced in chapter 8. Halko, Martinsson and Tropp (2011), algorithms 4.4 and
    5.1, the algorithm of ``torch.svd_lowrank``: multiply the matrix by ``dim +
    oversample`` random vectors, sharpen the subspace they span with
    ``power_iterations`` round trips through ``M^T`` and ``M``, then take the exact SVD
    of the small projected matrix. Written out here so that every product is a sparse
    matrix times a dense one (the transpose is stored as a second sparse matrix), and
    the random start comes from ``generator``.
    """
    if not sp.issparse(matrix) or matrix.ndim != 2:
        raise ValueError("matrix must be a 2-D scipy sparse matrix (for example from ppmi).")
    rows, cols = matrix.shape
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= min(rows, cols):
        raise ValueError(f"dim must be a whole number from 1 to {min(rows, cols)} (the "
                         f"smaller side of the {rows} x {cols} matrix), got {dim!r}.")
    if power_iterations < 0 or oversample < 0:
        raise ValueError("power_iterations and oversample must be 0 or more.")
    device = torch.device(device)
    forward = to_torch_csr(matrix, device)
    backward = to_torch_csr(matrix.T, device)
    width = min(dim + oversample, rows, cols)
    start = torch.randn(cols, width, generator=generator, dtype=torch.float32)
    # an orthonormal basis of the range of M, sharpened by powers of M M^T
    basis = torch.linalg.qr(forward @ start.to(device)).Q
    for _ in range(power_iterations):
        basis = torch.linalg.qr(backward @ basis).Q  # re-orthonormalize each half-step
        basis = torch.linalg.qr(forward @ basis).Q
    projected = (backward @ basis).T  # Q^T M, a small (width x cols) dense matrix
    u, s, vt = torch.linalg.svd(projected, full_matrices=False)
    return (basis @ u)[:, :dim], s[:dim], vt[:dim].T


@dataclass
class CountVectors:
    """What :func:`ppmi_svd_vectors` returns: the vectors, the singular values, and
    the sizes of the two sparse matrices it built."""

    vectors: WordVectors
    singular_values: torch.Tensor
    pairs: int       # distinct pairs counted (nonzeros of the counts)
    ppmi_pairs: int  # nonzeros of the positive PMI matrix


def ppmi_svd_vectors(corpus: EncodedCorpus, dim: int = 100, *, window: int = 5,
                     weighting: str = "word2vec", sample: float = 1e-3, passes: int = 1,
                     context_power: float = 0.75, shift: float = 1.0,
                     eig_power: float = 0.5, power_iterations: int = 4, seed: int = 0,
                     device: torch.device | str = "cpu") -> CountVectors:
    """Word vectors from counting: co-occurrence counts, their shifted positive PMI,
    and its truncated SVD, with ``U_d S_d ** eig_power`` as the word vectors.

    Introduced in chapter 8. ``sample`` is chapter 5's subsampling threshold (0 for
    none), drawn anew for each of ``passes`` passes; ``eig_power=0.5`` splits the
    singular values evenly between word and context vectors, as SGNS's two tables
    share the dot product.
    """
    generator = torch.Generator().manual_seed(seed)
    keep = keep_probabilities(corpus.counts, sample) if sample > 0 else None
    counts = cooccurrence_counts(corpus.ids, corpus.sentence, len(corpus.vocab), window,
                                 weighting=weighting, keep_prob=keep, generator=generator,
                                 passes=passes)
    matrix = ppmi(counts, context_power=context_power, shift=shift)
    pairs = counts.nnz
    del counts
    u, s, _ = truncated_svd(matrix, dim, power_iterations=power_iterations,
                            generator=generator, device=device)
    vectors = WordVectors.from_model((u * s ** eig_power).cpu(), corpus.vocab)
    return CountVectors(vectors, s.cpu(), pairs, matrix.nnz)
