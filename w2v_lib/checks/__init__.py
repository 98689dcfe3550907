"""Checks for the exercises: call one on your function and it tells you, case by case,
what is right and what is wrong.

Every check runs your function on cases that go from tiny to realistic, and compares
each answer with a reference implementation: first the type, shape, dtype and device,
then the values. Floating-point values are compared with the exact answer within the
rounding error of any correct float32 computation (:mod:`w2v_lib.checks.rounding`).
At the first mismatch it prints what it expected and what it got, with digits enough
to tell them apart, and a hint, and returns ``False``. A function that changes its
inputs in place fails. A stub that still raises ``NotImplementedError`` is reported as
"not attempted yet". When every case passes it returns ``True``.

A "predict, then run" check (those of :data:`PREDICTION_CHECKS`) takes a prediction
written before an experiment, and the experiment's measurement: it says whether the
prediction matches what this run measured, and hides the measurement until a
prediction is written.

One module per chapter's exercises; :mod:`w2v_lib.checks.engine` runs them all.
"""

from .lookup import check_cosine_spread, check_linear_from_embedding, check_one_hot
from .skipgram import check_expected_pairs, check_sentence_pairs, check_skipgram_grads, check_softmax_grad
from .cbow import check_cbow_grads, check_masked_mean
from .evaluation import check_length_prediction, check_spearman, check_three_cos_add
from .negative_sampling import (check_negative_sampling_loss, check_neutral_share, check_sgns_grads,
                                check_unigram_table)
from .prediction import check_collapse_prediction
from .subsampling import check_first_dropped_share, check_subsampling_prediction
from .fast_training import (check_add_rows, check_fewest_capped_pairs, check_fold_windows,
                            check_window_mask)
from .pmi import check_cooccurrence_matrix, check_sgns_optimum, check_shifted_ppmi
from .hierarchical_softmax import check_hs_grads, check_huffman_codes, check_path_log_probs
from .using_vectors import check_read_glove, check_mean_pool, check_weat_effect_size
from .distributed import check_shard_bounds

__all__ = [
    # chapter 1
    "check_one_hot", "check_linear_from_embedding", "check_cosine_spread",
    # chapter 2
    "check_sentence_pairs", "check_softmax_grad", "check_skipgram_grads", "check_expected_pairs",
    # chapter 3
    "check_masked_mean", "check_cbow_grads",
    # chapter 4
    "check_negative_sampling_loss", "check_neutral_share", "check_unigram_table", "check_sgns_grads",
    "check_collapse_prediction",
    # chapter 5
    "check_first_dropped_share", "check_subsampling_prediction",
    # chapter 6
    "check_length_prediction", "check_three_cos_add", "check_spearman",
    # chapter 7
    "check_window_mask", "check_fold_windows", "check_add_rows", "check_fewest_capped_pairs",
    # chapter 8
    "check_sgns_optimum", "check_cooccurrence_matrix", "check_shifted_ppmi",
    # chapter 9
    "check_read_glove", "check_mean_pool", "check_weat_effect_size",
    # appendix A
    "check_huffman_codes", "check_path_log_probs", "check_hs_grads",
    # appendix B
    "check_shard_bounds",
]

# the "predict, then run" checks: a prediction and a measurement, not a function
PREDICTION_CHECKS = [
    "check_collapse_prediction", "check_subsampling_prediction", "check_length_prediction"]
