"""Every exercise check of the book accepts right answers that differ from the
chapter's solution: another algorithm, another order of summation, float32 where the
exercise allows it. A check that rejects one of these is wrong, however well it
catches mistakes."""

import heapq
from collections import Counter, defaultdict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import rankdata
from torch import nn

import w2v_lib.checks as checks
from check_specs import ALL_CHECKS, check_id
from checking import run
from test_checks_using_vectors_chapter import (embedding_bag, float32_effect, gensim_glove, loop,
                                               masked_mean_float64, numpy_effect, numpy_glove)
from test_checks_pmi_chapter import (counts_by_bincount, counts_by_loops,
                                     optimum_as_logit, optimum_by_newton,
                                     optimum_in_log_space, ppmi_by_loops,
                                     ppmi_from_probabilities)

# --- chapter 1 ----------------------------------------------------------------------


def one_hot_eye(indices, vocab_size):
    return torch.eye(vocab_size, device=indices.device)[indices]


def one_hot_scatter(indices, vocab_size):
    return torch.zeros(len(indices), vocab_size, device=indices.device).scatter_(1, indices[:, None], 1.0)


def one_hot_compare(indices, vocab_size):
    return (indices[:, None] == torch.arange(vocab_size, device=indices.device)).float()


def linear_parameter(embedding):
    layer = nn.Linear(*embedding.weight.shape, bias=False)
    layer.weight = nn.Parameter(embedding.weight.detach().T.clone())
    return layer


def linear_state_dict(embedding):
    layer = nn.Linear(*embedding.weight.shape, bias=False)
    layer.load_state_dict({"weight": embedding.weight.T})
    return layer


# --- chapter 2 ----------------------------------------------------------------------


def pairs_by_offset(sentence, window):
    pairs = []
    for t in range(len(sentence)):
        for offset in [o for o in range(-window, window + 1) if o != 0]:
            if 0 <= t + offset < len(sentence):
                pairs.append([sentence[t], sentence[t + offset]])  # lists, not tuples
    return pairs


def softmax_grad_one_hot(scores, targets):
    return (F.softmax(scores, dim=1) - F.one_hot(targets, scores.shape[1])) / len(targets)


def softmax_grad_log_softmax(scores, targets):
    probs = torch.exp(scores - torch.logsumexp(scores, dim=1, keepdim=True))
    probs[torch.arange(len(targets)), targets] -= 1
    return probs / len(targets)


def softmax_grad_float64(scores, targets):
    return softmax_grad_one_hot(scores.double(), targets).float()


def skipgram_grads_einsum(center_vectors, output_vectors, contexts):
    delta = softmax_grad_log_softmax(center_vectors @ output_vectors.T, contexts)
    return torch.einsum("bv,vd->bd", delta, output_vectors), torch.einsum("bv,bd->vd", delta, center_vectors)


def skipgram_grads_split(center_vectors, output_vectors, contexts):
    # softmax part and one-hot part of dL/dscores multiplied out separately
    batch = len(contexts)
    probs = torch.softmax(center_vectors @ output_vectors.T, dim=1)
    grad_center = (probs @ output_vectors - output_vectors[contexts]) / batch
    grad_output = (probs.T @ center_vectors).index_add_(0, contexts, -center_vectors) / batch
    return grad_center, grad_output


def expected_pairs_closed_form(length, window):
    # sum over k <= K of 2 (n - k)(m + 1 - k) / m, with the sums of k and k^2 in closed form
    n, m = length, window
    top = max(0, min(m, n - 1))
    s1, s2 = top * (top + 1) // 2, top * (top + 1) * (2 * top + 1) // 6
    return 2 * (n * (m + 1) * top - (n + m + 1) * s1 + s2) / m


def expected_pairs_by_position(length, window):
    # each center on its own: a neighbour k to the left or right is kept when b >= k
    keep = [(window - k + 1) / window for k in range(1, window + 1)]
    return sum(sum(keep[:min(t, window)]) + sum(keep[:min(length - 1 - t, window)])
               for t in range(length))


def expected_pairs_float32(length, window):
    k = np.arange(1, min(window, length - 1) + 1, dtype=np.float32)
    return np.float32(2) * ((np.float32(length) - k) * (np.float32(window) - k + 1)
                            / np.float32(window)).sum(dtype=np.float32)


# --- chapter 3 ----------------------------------------------------------------------


def masked_mean_where(context_vectors, mask):
    total = torch.where(mask[..., None], context_vectors, 0.0).sum(dim=1)
    return total / mask.sum(dim=1, keepdim=True)


def masked_mean_matmul(context_vectors, mask):
    weights = mask.to(context_vectors.dtype) / mask.sum(dim=1, keepdim=True)
    return (weights[:, None, :] @ context_vectors).squeeze(1)


def masked_mean_loop(context_vectors, mask):
    return torch.stack([context_vectors[b][mask[b]].mean(dim=0) for b in range(len(mask))])


def cbow_grads_autograd(context_vectors, mask, output_vectors, centers):
    # autograd in float32, with the mean written through torch.where
    x = context_vectors.clone().requires_grad_()
    U = output_vectors.clone().requires_grad_()
    F.cross_entropy(masked_mean_where(x, mask) @ U.T, centers).backward()
    return x.grad, U.grad


def cbow_grads_einsum(context_vectors, mask, output_vectors, centers):
    share = mask.to(context_vectors.dtype) / mask.sum(dim=1, keepdim=True)  # 1/n or 0
    hidden = torch.einsum("bs,bsd->bd", share, context_vectors)
    delta = softmax_grad_log_softmax(hidden @ output_vectors.T, centers)
    grad_hidden = torch.einsum("bv,vd->bd", delta, output_vectors)
    return torch.einsum("bd,bs->bsd", grad_hidden, share), torch.einsum("bv,bd->vd", delta, hidden)


def cbow_grads_float64(context_vectors, mask, output_vectors, centers):
    grads = cbow_grads_einsum(context_vectors.double(), mask, output_vectors.double(), centers)
    return tuple(g.float() for g in grads)


# --- chapter 4 ----------------------------------------------------------------------


def neutral_share_float32(counts, power):
    shares = counts.float() / counts.float().sum()
    return (shares ** power).sum() ** (1 / (power - 1))


def neutral_share_log_space(counts, power):
    # log Z = log sum_w count_w ** a - a log total, summed with logsumexp
    logs = counts.double().log()
    log_z = torch.logsumexp(power * logs, 0) - power * counts.double().sum().log()
    return float(torch.exp(log_z / (power - 1)))


def neutral_share_by_bisection(counts, power):
    # the share p at which p ** a / Z - p changes sign, found by halving [0, 1]
    shares = counts.double() / counts.sum()
    z = float((shares ** power).sum())
    low, high = 1e-300, 1.0   # p ** a / Z > p below p*, < p above it
    for _ in range(2000):
        middle = (low * high) ** 0.5 if high / low > 4 else (low + high) / 2
        if middle ** power / z > middle:
            low = middle
        else:
            high = middle
        if high - low <= 1e-17 * high:
            break
    return (low + high) / 2


def unigram_table_float32(probs, size):
    edges = torch.cumsum(probs.float(), dim=0)
    slots = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    return torch.searchsorted(edges, slots).clamp(max=len(probs) - 1)


def unigram_table_largest_remainder(probs, size):
    # floor(p * size) slots each, then one more for the largest remainders
    ideal = probs * size
    slots = ideal.floor().long()
    missing = size - int(slots.sum())
    slots[torch.argsort(ideal - ideal.floor(), descending=True)[:missing]] += 1
    return torch.repeat_interleave(torch.arange(len(probs)), slots)


def unigram_table_bucketize(probs, size):
    edges = torch.cumsum(probs, dim=0)
    edges[-1] = 1.0  # rounding can leave it a hair below 1
    return torch.bucketize(torch.arange(size, dtype=torch.float64) / size, edges, right=True)


def sgns_grads_softplus(center, positive, negative):
    # d/ds softplus(-s) = -sigmoid(-s); d/ds softplus(s) = sigmoid(s)
    batch = len(center)
    g_pos = -torch.sigmoid(-(center * positive).sum(-1))
    g_neg = torch.sigmoid(torch.einsum("bkd,bd->bk", negative, center))
    grad_center = g_pos[:, None] * positive + torch.einsum("bk,bkd->bd", g_neg, negative)
    return grad_center / batch, g_pos[:, None] * center / batch, g_neg[..., None] * center[:, None] / batch


def sgns_grads_float64(center, positive, negative):
    return tuple(g.float() for g in sgns_grads_softplus(center.double(), positive.double(), negative.double()))


# --- chapter 5 ----------------------------------------------------------------------


def first_dropped_share_quadratic(threshold):
    # the positive root of r^2 - 3 r + 1 = 0 for r = f / t (multiply x^2 + x = 1 by f / t)
    return threshold * (3 + (9 - 4) ** 0.5) / 2


def first_dropped_share_float32(threshold):
    x = (torch.tensor(5.0).sqrt() - 1) / 2  # sqrt(t / f), in float32
    return torch.tensor(threshold, dtype=torch.float32) / (x * x)


def fewest_capped_pairs_from_curvature(rate, length):
    # the curvature at which the cap acts, 2 / rate, over one pair's largest share
    return (2 / rate) / (0.25 * length * length)


def fewest_capped_pairs_float32(rate, length):
    # in float32, with a tensor of one element
    rate, length = torch.tensor(rate), torch.tensor(length)
    return 8 / rate / length.square()


def negative_sampling_loss_softplus(hidden, positive, negative):
    positive_score = torch.einsum("bd,bd->b", hidden, positive)
    negative_scores = torch.einsum("bkd,bd->bk", negative, hidden)
    return F.softplus(-positive_score).mean() + F.softplus(negative_scores).sum(-1).mean()


def negative_sampling_loss_bce(hidden, positive, negative):
    scores = torch.cat([(hidden * positive).sum(-1, keepdim=True), torch.bmm(negative, hidden[:, :, None])[..., 0]], 1)
    labels = torch.zeros_like(scores)
    labels[:, 0] = 1
    return F.binary_cross_entropy_with_logits(scores, labels, reduction="sum") / len(hidden)


# --- chapter 6 ----------------------------------------------------------------------


def three_cos_add_three_cosines(unit, a, b, c):
    scores = unit @ unit[b] - unit @ unit[a] + unit @ unit[c]
    scores[[a, b, c]] = scores.min() - 1  # below every other word
    return scores.argmax()  # a one-element tensor


def three_cos_add_topk(unit, a, b, c):
    scores = F.normalize(unit.double(), dim=1) @ (unit[b] - unit[a] + unit[c]).double()
    return next(int(i) for i in scores.topk(4).indices if int(i) not in (a, b, c))


def spearman_float32(x, y):
    rx = torch.tensor(rankdata(x), dtype=torch.float32)
    ry = torch.tensor(rankdata(y), dtype=torch.float32)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx @ ry) / (rx.norm() * ry.norm()))


def spearman_corrcoef(x, y):
    return float(np.corrcoef(rankdata(x), rankdata(y))[0, 1])


def spearman_own_ranks(x, y):
    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        result = [0.0] * len(values)
        start = 0
        while start < len(order):
            end = start
            while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
                end += 1
            for k in range(start, end + 1):
                result[order[k]] = (start + end) / 2 + 1
            start = end + 1
        return torch.tensor(result, dtype=torch.float32)
    rx, ry = ranks(x), ranks(y)
    return float(torch.corrcoef(torch.stack([rx, ry]))[0, 1])


# --- chapter 7 ----------------------------------------------------------------------


def window_mask_by_offsets(span_sentence, reduced, window):
    size = len(span_sentence) - 2 * window
    centers = span_sentence[window:window + size]
    columns = []
    for offset in range(-window, window + 1):
        same = span_sentence[window + offset:window + offset + size] == centers
        columns.append(same & (abs(offset) <= reduced) & (offset != 0))
    return torch.stack(columns, dim=1)


def fold_windows_index_add(grad_contexts, window):
    size, width, dim = grad_contexts.shape
    rows = (torch.arange(size)[:, None] + torch.arange(width)).reshape(-1)
    return grad_contexts.new_zeros(size + width - 1, dim).index_add_(0, rows, grad_contexts.reshape(-1, dim))


def fold_windows_backwards(grad_contexts, window):
    size, width, dim = grad_contexts.shape
    block = grad_contexts.new_zeros(size + width - 1, dim)
    for j in reversed(range(width)):  # another order of summation
        block[j:j + size] += grad_contexts[:, j]
    return block


def add_rows_index_put(table, rows, grads):
    return table.index_put_((rows,), grads, accumulate=True)


def add_rows_float64(table, rows, grads):
    return table.copy_(table.double().index_add_(0, rows, grads.double()))


def add_rows_one_hot(table, rows, grads):
    # one row of a one-hot matrix per distinct row: (distinct, n) @ (n, d)
    distinct, which = torch.unique(rows, return_inverse=True)
    table[distinct] += F.one_hot(which, len(distinct)).T.to(grads.dtype) @ grads
    return table


def add_rows_sorted(table, rows, grads):
    order = torch.argsort(rows, stable=True)
    return table.scatter_add_(0, rows[order][:, None].expand(-1, grads.shape[1]), grads[order])


def cosine_spread_power(d):
    return d ** -0.5


def cosine_spread_numpy(d):
    import numpy as np

    return np.float32(1) / np.sqrt(np.float32(d))  # in float32


# --- appendix A ---------------------------------------------------------------------


def codes_from_children(children, size):
    """Each word's code and inner nodes, read top-down from the root (node 2*size-2)
    with an explicit stack, from the two children of every inner node."""
    codes, points = [None] * size, [None] * size
    stack = [(2 * size - 2, [], [])]
    while stack:
        node, code, point = stack.pop()
        if node < size:
            codes[node], points[node] = code, point
            continue
        for bit, child in enumerate(children[node]):
            stack.append((child, code + [bit], point + [node - size]))
    return codes, points


def huffman_codes_heap(counts):
    """A binary heap of (weight, node) and codes read top-down from the root with an
    explicit stack: neither word2vec.c's two queues nor the library's loop."""
    size = len(counts)
    heap = [(count, word) for word, count in enumerate(counts)]
    heapq.heapify(heap)
    children = {}
    for new in range(size, 2 * size - 1):
        (w0, first), (w1, second) = heapq.heappop(heap), heapq.heappop(heap)
        children[new] = (first, second)
        heapq.heappush(heap, (w0 + w1, new))
    return codes_from_children(children, size)


def huffman_codes_sorted_list(counts):
    """Re-sorting a list of (weight, order made, node) before every merge, and reading
    the paths top-down from the root."""
    size = len(counts)
    nodes = [(c, w, w) for w, c in enumerate(counts)]
    children = {}
    for new in range(size, 2 * size - 1):
        nodes.sort()
        (w0, _, first), (w1, _, second), *nodes = nodes
        children[new] = (first, second)
        nodes.append((w0 + w1, new, new))
    return codes_from_children(children, size)


def path_log_probs_softplus(hidden, nodes, codes, mask):
    scores = torch.einsum("bld,bd->bl", nodes, hidden)
    turns = -F.softplus(-(1 - 2 * codes) * scores)
    return torch.where(mask, turns, torch.zeros_like(turns)).sum(1)


def path_log_probs_float64(hidden, nodes, codes, mask):
    scores = (nodes.double() @ hidden.double()[:, :, None]).squeeze(-1)
    signs = torch.where(codes == 0, 1.0, -1.0).double()
    turns = F.logsigmoid(signs * scores)[mask]
    rows = torch.arange(len(hidden))[:, None].expand_as(mask)[mask]
    total = torch.zeros(len(hidden), dtype=torch.float64).index_add_(0, rows, turns)
    return total.to(hidden.dtype)


def hs_grads_bits(hidden, nodes, codes, mask):
    """-t sigmoid(-t s) with t = 1 - 2b, by the chain rule, with einsum."""
    signs = 1 - 2 * codes
    scores = torch.einsum("bld,bd->bl", nodes, hidden)
    delta = -signs * torch.sigmoid(-signs * scores) * mask / len(hidden)
    return torch.einsum("bl,bld->bd", delta, nodes), torch.einsum("bl,bd->bld", delta, hidden)


def hs_grads_float64(hidden, nodes, codes, mask):
    h, n = hidden.double(), nodes.double()
    delta = torch.where(mask, torch.sigmoid((n * h[:, None]).sum(-1)) - 1 + codes.double(), 0.0)
    delta = delta / len(hidden)
    return (delta[..., None] * n).sum(1).to(hidden.dtype), \
        (delta[..., None] * h[:, None]).to(nodes.dtype)


def shard_bounds_by_walking(sentence, rank, world):
    """Walk the tokens once, in plain Python, noting where each cut falls."""
    total, ids = len(sentence), sentence.tolist()
    cuts = [0] + [None] * (world - 1) + [total]
    for i in range(1, total):
        if ids[i] != ids[i - 1]:
            for r in range(1, world):
                if cuts[r] is None and i * world >= r * total:
                    cuts[r] = i
    cuts = [total if c is None else c for c in cuts]
    return cuts[rank], cuts[rank + 1]


def shard_bounds_numpy(sentence, rank, world):
    """With numpy: the sentence starts, then one searchsorted for both cuts, in floats."""
    import numpy as np

    ids = sentence.numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])

    def cut(r):
        if r in (0, world):
            return 0 if r == 0 else len(ids)
        # a float target is exact here: r * T / world is far below 2**53
        found = np.searchsorted(starts, r * len(ids) / world, side="left")
        return int(starts[found]) if found < len(starts) else len(ids)
    return cut(rank), cut(rank + 1)


RIGHT_ANSWERS = {
    "cosine_spread": [cosine_spread_power, cosine_spread_numpy],
    "one_hot": [one_hot_eye, one_hot_scatter, one_hot_compare],
    "linear_from_embedding": [linear_parameter, linear_state_dict],
    "sentence_pairs": [pairs_by_offset],
    "softmax_grad": [softmax_grad_one_hot, softmax_grad_log_softmax, softmax_grad_float64],
    "skipgram_grads": [skipgram_grads_einsum, skipgram_grads_split],
    "expected_pairs": [expected_pairs_closed_form, expected_pairs_by_position, expected_pairs_float32],
    "masked_mean": [masked_mean_where, masked_mean_matmul, masked_mean_loop],
    "cbow_grads": [cbow_grads_autograd, cbow_grads_einsum, cbow_grads_float64],
    "neutral_share": [neutral_share_float32, neutral_share_log_space, neutral_share_by_bisection],
    "unigram_table": [unigram_table_float32, unigram_table_largest_remainder, unigram_table_bucketize],
    "sgns_grads": [sgns_grads_softplus, sgns_grads_float64],
    "first_dropped_share": [first_dropped_share_quadratic, first_dropped_share_float32],
    "negative_sampling_loss": [negative_sampling_loss_softplus, negative_sampling_loss_bce],
    "three_cos_add": [three_cos_add_three_cosines, three_cos_add_topk],
    "spearman": [spearman_float32, spearman_corrcoef, spearman_own_ranks],
    "window_mask": [window_mask_by_offsets],
    "fold_windows": [fold_windows_index_add, fold_windows_backwards],
    "fewest_capped_pairs": [fewest_capped_pairs_from_curvature, fewest_capped_pairs_float32],
    "add_rows": [add_rows_index_put, add_rows_float64, add_rows_one_hot, add_rows_sorted],
    "sgns_optimum": [optimum_as_logit, optimum_in_log_space, optimum_by_newton],
    "cooccurrence_matrix": [counts_by_loops, counts_by_bincount],
    "shifted_ppmi": [ppmi_from_probabilities, ppmi_by_loops],
    "huffman_codes": [huffman_codes_heap, huffman_codes_sorted_list],
    "path_log_probs": [path_log_probs_softplus, path_log_probs_float64],
    "hs_grads": [hs_grads_bits, hs_grads_float64],
    "read_glove": [gensim_glove, numpy_glove],
    "mean_pool": [masked_mean_float64, embedding_bag, loop],
    "weat_effect_size": [float32_effect, numpy_effect],
    "shard_bounds": [shard_bounds_by_walking, shard_bounds_numpy],
}


def test_every_check_has_right_answers_of_its_own():
    assert sorted(RIGHT_ANSWERS) == sorted(map(check_id, ALL_CHECKS))


@pytest.mark.parametrize("check, answer", [(check, answer) for check in ALL_CHECKS
                                           for answer in RIGHT_ANSWERS[check_id(check)]],
                         ids=lambda value: value.__name__.removeprefix("check_"))
def test_a_different_right_answer_passes(check, answer, capsys):
    verdict, out = run(check, answer, capsys)
    assert verdict is True, out
    assert "All " in out and " cases pass. Well done!" in out


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("answer", [lambda t, r, g: t.index_add_(0, r, g), add_rows_index_put, add_rows_one_hot],
                         ids=["index_add_", "index_put_", "one_hot"])
def test_add_rows_passes_with_any_number_of_threads(threads, answer, capsys):
    """index_add_ splits its work over threads, so the order in which a repeated row's
    gradients are added (and the last bits of the sum) depends on the thread count;
    the check used to compare with index_add_'s own order at a tolerance that some
    right answers met with one thread count and not another."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        verdict, out = run(checks.check_add_rows, answer, capsys)
    finally:
        torch.set_num_threads(before)
    assert verdict is True, out
