"""The Huffman tree and the hierarchical softmax of appendix A, against a tree worked
by hand, Shannon's bound, brute force, autograd, finite differences and gensim's own
Huffman tree."""

import heapq
from collections import Counter

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import _assign_binary_codes

from w2v_lib.hierarchical_softmax import (HierarchicalCBOW, HierarchicalSkipGram, HuffmanTree,
                                          draw_tree, entropy_bits, hierarchical_softmax_grads,
                                          hierarchical_softmax_loss, huffman_tree, path_log_probs)
from w2v_lib.toy_corpus import load_toy_corpus
from w2v_lib.training import train
from w2v_lib.vocab import Vocab
from w2v_lib.windows import cbow_examples, skipgram_pairs, stream_from_sentences


def zipf_counts(size, top=1_000_000):
    """Counts that fall as 1 / rank, like a real vocabulary's (many ties among the rare)."""
    return (top / torch.arange(1, size + 1, dtype=torch.float64)).round().clamp(min=1).long().tolist()


def distinct_counts(size, seed=0):
    """Large random counts, in decreasing order; ties (even between sums) are then so
    unlikely that every merge has a single right answer (checked by `merges_without_ties`)."""
    generator = torch.Generator().manual_seed(seed)
    return sorted(torch.randint(1, 10**12, (size,), generator=generator).tolist(), reverse=True)


def huffman_cost(counts):
    """Huffman's optimal sum of count x code length, computed independently: every merge
    adds its weight once for each leaf below it, so the cost is the sum of the merges."""
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def children(tree):
    """Rebuild the tree from the codes and points: {inner node: {bit: child}}, where a
    child is ('inner', n) or ('leaf', w). Fails if two paths disagree about a child."""
    below = {}
    for word, (code, point) in enumerate(zip(tree.codes, tree.points)):
        for j, (bit, node) in enumerate(zip(code, point)):
            child = ("inner", point[j + 1]) if j + 1 < len(point) else ("leaf", word)
            slot = below.setdefault(node, {})
            assert slot.setdefault(bit, child) == child, f"node {node}, bit {bit}: two children"
    return below


# --- the tree -----------------------------------------------------------------------------


def test_a_tree_worked_by_hand():
    # counts 5, 3, 2, 1, 1. Merges, as word2vec.c makes them (first taken gets bit 0):
    #   node 0 = w4 (1) + w3 (1) = 2
    #   node 1 = node 0 (2) + w2 (2) = 4     (a tie: the inner node is taken first)
    #   node 2 = w1 (3) + node 1 (4) = 7
    #   node 3 = w0 (5) + node 2 (7) = 12    (the root)
    tree = huffman_tree([5, 3, 2, 1, 1])
    assert tree.codes == ((0,), (1, 0), (1, 1, 1), (1, 1, 0, 1), (1, 1, 0, 0))
    assert tree.points == ((3,), (3, 2), (3, 2, 1), (3, 2, 1, 0), (3, 2, 1, 0))
    assert tree.root == 3 and len(tree) == 5
    assert tree.expected_code_length() == pytest.approx((5 * 1 + 3 * 2 + 2 * 3 + 4 + 4) / 12)


def test_two_words_share_the_root():
    tree = huffman_tree([7, 7])
    assert tree.codes == ((1,), (0,)) and tree.points == ((0,), (0,))


@pytest.mark.parametrize("counts", [zipf_counts(1_000), distinct_counts(500), [1] * 64,
                                    [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]],
                         ids=["zipf", "distinct", "all equal", "unsorted"])
def test_every_path_is_a_path_of_one_full_binary_tree(counts):
    tree = huffman_tree(counts)
    size = len(counts)
    below = children(tree)
    # V - 1 inner nodes, each with a child for bit 0 and one for bit 1
    assert sorted(below) == list(range(size - 1))
    assert all(set(slot) == {0, 1} for slot in below.values())
    # every word is reached exactly once, and every path starts at the root
    leaves = [child for slot in below.values() for child in slot.values() if child[0] == "leaf"]
    assert sorted(w for _, w in leaves) == list(range(size))
    assert all(point[0] == tree.root for point in tree.points)
    # the points are inner nodes only: the leaf is not on its own path
    assert all(len(c) == len(p) for c, p in zip(tree.codes, tree.points))
    assert max(max(p) for p in tree.points) == size - 2


@pytest.mark.parametrize("counts", [zipf_counts(2_000), distinct_counts(300), [1] * 100])
def test_the_codes_are_a_prefix_code_and_fill_the_tree(counts):
    codes = sorted("".join(map(str, c)) for c in huffman_tree(counts).codes)
    # in sorted order a code that is a prefix of another comes right before one it prefixes
    assert not any(b.startswith(a) for a, b in zip(codes, codes[1:]))
    assert len(set(codes)) == len(codes)
    # Kraft's sum is exactly 1 for a full binary tree: no code could be shorter
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("counts", [zipf_counts(20_000), distinct_counts(1_000, seed=3),
                                    [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [1] * 100])
def test_expected_code_length_is_optimal_and_within_a_bit_of_the_entropy(counts):
    tree = huffman_tree(counts)
    entropy, expected = entropy_bits(counts), tree.expected_code_length()
    assert entropy - 1e-9 <= expected < entropy + 1
    # and it is Huffman's optimum, from an independent computation
    assert sum(c * len(code) for c, code in zip(counts, tree.codes)) == huffman_cost(counts)


def test_frequent_words_get_paths_no_longer_than_rarer_ones():
    tree = huffman_tree(zipf_counts(5_000))
    lengths = tree.lengths
    assert bool((lengths[1:] >= lengths[:-1]).all())  # counts decrease with the index


def test_unsorted_counts_give_the_tree_of_the_sorted_ones():
    counts = distinct_counts(200, seed=5)
    order = torch.randperm(200, generator=torch.Generator().manual_seed(0)).tolist()
    shuffled = huffman_tree([counts[i] for i in order])
    tree = huffman_tree(counts)
    assert all(shuffled.codes[k] == tree.codes[i] for k, i in enumerate(order))


def test_padded_paths_hold_every_path():
    tree = huffman_tree(zipf_counts(3_000))
    points, codes, mask = tree.padded()
    assert points.shape == codes.shape == mask.shape == (3_000, int(tree.lengths.max()))
    assert torch.equal(mask.sum(1), tree.lengths)
    for w in range(0, 3_000, 37):
        n = len(tree.codes[w])
        assert points[w, :n].tolist() == list(tree.points[w])
        assert codes[w, :n].tolist() == list(tree.codes[w])
    assert not bool(points[~mask].any()) and not bool(codes[~mask].any())


@pytest.mark.parametrize("counts, message", [
    ([5], "at least 2 words"), ([], "at least 2 words"), ([4, -1, 2], "cannot be negative"),
])
def test_bad_counts_are_clear_errors(counts, message):
    with pytest.raises(ValueError, match=message):
        huffman_tree(counts)


# --- against gensim's own Huffman tree -----------------------------------------------------


def gensim_codes(counts):
    """gensim's Huffman tree (the one Word2Vec(hs=1) builds) for the given counts."""
    kv = KeyedVectors(4)
    for i in range(len(counts)):
        kv.key_to_index[f"w{i}"] = i
        kv.index_to_key.append(f"w{i}")
    kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
    for i, c in enumerate(counts):
        kv.set_vecattr(i, "count", c)
    _assign_binary_codes(kv)
    return ([tuple(int(b) for b in kv.get_vecattr(i, "code")) for i in range(len(counts))],
            [tuple(int(p) for p in kv.get_vecattr(i, "point")) for i in range(len(counts))])


def merges_without_ties(counts):
    """True when the counts and the weights of all inner nodes are pairwise distinct:
    then no merge of Huffman's algorithm has a tie, and every correct implementation
    must build the same tree."""
    heap, inner = list(counts), []
    heapq.heapify(heap)
    while len(heap) > 1:
        inner.append(heapq.heappop(heap) + heapq.heappop(heap))
        heapq.heappush(heap, inner[-1])
    weights = list(counts) + inner
    return len(set(weights)) == len(weights)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_without_ties_the_tree_is_gensims_bit_for_bit(seed):
    counts = distinct_counts(3_000, seed=seed)
    assert merges_without_ties(counts)
    codes, points = gensim_codes(counts)
    tree = huffman_tree(counts)
    assert list(tree.codes) == codes and list(tree.points) == points


def test_on_a_real_vocabulary_the_trees_differ_only_in_ties():
    # WikiText-like counts have many ties (every count below 20 is shared by hundreds of
    # words). gensim breaks ties by its heap's order, word2vec.c by queue position, so
    # the trees differ; both are optimal, so the total cost is the same to the unit.
    counts = zipf_counts(20_000, top=100_000)
    codes, _ = gensim_codes(counts)
    tree = huffman_tree(counts)
    ours = sum(c * len(code) for c, code in zip(counts, tree.codes))
    theirs = sum(c * len(code) for c, code in zip(counts, codes))
    assert ours == theirs == huffman_cost(counts)
    same_length = np.mean([len(a) == len(b) for a, b in zip(codes, tree.codes)])
    assert same_length < 1.0  # the ties do change some paths


def test_gensims_word2vec_builds_the_same_tree_from_a_corpus():
    # end to end through Word2Vec(hs=1).build_vocab on a corpus where every word has its
    # own count and no sum of counts ties: word i occurs 2**i + 2**12 times
    words = [f"w{i}" for i in range(12)]
    counts = {w: 2 ** i + 2 ** 12 for i, w in enumerate(words)}
    corpus = [[w] * n for w, n in counts.items()]
    model = Word2Vec(hs=1, negative=0, min_count=1, vector_size=4)
    model.build_vocab(corpus)
    order = model.wv.index_to_key
    assert merges_without_ties([counts[w] for w in order])
    tree = huffman_tree([counts[w] for w in order])
    for i, word in enumerate(order):
        assert tuple(model.wv.get_vecattr(word, "code")) == tree.codes[i]
        assert tuple(model.wv.get_vecattr(word, "point")) == tree.points[i]


# --- the model ------------------------------------------------------------------------------


def random_paths(tree, batch, generator):
    words = torch.randint(0, len(tree), (batch,), generator=generator)
    points, codes, mask = tree.padded()
    return words, points[words], codes[words].double(), mask[words]


def test_the_probabilities_of_all_words_sum_to_one():
    tree = huffman_tree(zipf_counts(500))
    generator = torch.Generator().manual_seed(0)
    model = HierarchicalSkipGram(tree, 16, generator=generator).double()
    with torch.no_grad():
        model.w_out.weight.normal_(generator=generator)
        model.w_in.weight.normal_(generator=generator)
    probs = model.probabilities(torch.tensor([0, 7, 499]))
    assert probs.shape == (3, 500)
    assert torch.allclose(probs.sum(1), torch.ones(3, dtype=torch.float64), atol=1e-12)
    assert bool((probs > 0).all())
    # and log_prob gives the same numbers one word at a time
    words = torch.tensor([3, 100, 250])
    assert torch.allclose(model.log_prob(torch.tensor([0, 7, 499]), words).exp(),
                          probs[torch.arange(3), words])


def test_cbow_probabilities_sum_to_one():
    tree = huffman_tree(zipf_counts(300))
    generator = torch.Generator().manual_seed(1)
    model = HierarchicalCBOW(tree, 8, generator=generator).double()
    with torch.no_grad():
        model.w_out.weight.normal_(generator=generator)
    contexts = torch.randint(0, 300, (4, 6), generator=generator)
    mask = torch.rand(4, 6, generator=generator) < 0.7
    mask[:, 0] = True
    probs = model.probabilities(contexts, mask)
    assert torch.allclose(probs.sum(1), torch.ones(4, dtype=torch.float64), atol=1e-12)


def test_cbow_whole_error_gives_every_context_word_the_whole_gradient():
    """word2vec.c's CBOW update: the same loss, but each context word's gradient is
    n times its exact 1/n share (n its number of real context words)."""
    tree = huffman_tree(zipf_counts(50))
    grads = []
    for whole_error in (False, True):
        model = HierarchicalCBOW(tree, 6, sparse=False, whole_error=whole_error,
                                 generator=torch.Generator().manual_seed(2)).double()
        with torch.no_grad():
            model.w_out.weight.normal_(generator=torch.Generator().manual_seed(3))
        contexts = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
        mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
        loss = model.loss(contexts, mask, torch.tensor([7, 9]))
        loss.backward()
        grads.append((float(loss.detach()), model.w_in.weight.grad.clone()))
    (exact_loss, exact), (whole_loss, whole) = grads
    assert whole_loss == pytest.approx(exact_loss, rel=1e-12)
    assert torch.allclose(whole[[1, 2, 3]], 3 * exact[[1, 2, 3]], atol=1e-12)
    assert torch.allclose(whole[[4, 5]], 2 * exact[[4, 5]], atol=1e-12)
    assert exact[[1, 4]].abs().sum() > 0


def test_untrained_model_gives_every_turn_one_half():
    tree = huffman_tree(zipf_counts(100))
    model = HierarchicalSkipGram(tree, 8)
    words = torch.arange(100)
    log_probs = model.log_prob(torch.zeros(100, dtype=torch.long), words)
    assert torch.allclose(log_probs, -tree.lengths.float() * np.log(2.0))


def test_hand_gradients_match_autograd_and_finite_differences():
    tree = huffman_tree(zipf_counts(300))
    generator = torch.Generator().manual_seed(2)
    _, points, codes, mask = random_paths(tree, 6, generator)
    assert not bool(mask.all())  # paths of several lengths, so some padding
    hidden = torch.randn(6, 4, generator=generator, dtype=torch.float64, requires_grad=True)
    nodes = torch.randn(*points.shape, 4, generator=generator, dtype=torch.float64,
                        requires_grad=True)
    hierarchical_softmax_loss(hidden, nodes, codes, mask).backward()
    grad_hidden, grad_nodes = hierarchical_softmax_grads(hidden.detach(), nodes.detach(), codes, mask)
    assert torch.allclose(grad_hidden, hidden.grad, atol=1e-12)
    assert torch.allclose(grad_nodes, nodes.grad, atol=1e-12)
    assert not bool(grad_nodes[~mask].any())  # padding learns nothing
    assert torch.autograd.gradcheck(lambda h, n: hierarchical_softmax_loss(h, n, codes, mask),
                                     (hidden, nodes))


def test_the_loss_is_minus_the_mean_log_probability():
    tree = huffman_tree([4, 3, 2, 1])
    generator = torch.Generator().manual_seed(3)
    _, points, codes, mask = random_paths(tree, 6, generator)
    hidden = torch.randn(6, 3, generator=generator, dtype=torch.float64)
    nodes = torch.randn(6, points.shape[1], 3, generator=generator, dtype=torch.float64)
    # the probability of a path by brute force: a product over its turns
    scores = (nodes * hidden[:, None, :]).sum(-1)
    by_hand = [np.prod([1 / (1 + np.exp(-s)) if b == 0 else 1 / (1 + np.exp(s))
                        for s, b, on in zip(scores[i].tolist(), codes[i].tolist(), mask[i].tolist())
                        if on]) for i in range(6)]
    assert torch.allclose(path_log_probs(hidden, nodes, codes, mask).exp(),
                          torch.tensor(by_hand, dtype=torch.float64))
    assert hierarchical_softmax_loss(hidden, nodes, codes, mask).item() == pytest.approx(
        -np.mean(np.log(by_hand)))


def test_sparse_and_dense_gradients_take_the_same_step():
    tree = huffman_tree(zipf_counts(200))
    pairs = (torch.randint(0, 200, (64,), generator=torch.Generator().manual_seed(0)),
             torch.randint(0, 200, (64,), generator=torch.Generator().manual_seed(1)))
    models = [HierarchicalSkipGram(tree, 8, sparse=s, generator=torch.Generator().manual_seed(4))
              for s in (True, False)]
    for model in models:
        train(model, pairs, epochs=2, batch_size=16, lr=0.1, progress=False)
    assert torch.allclose(models[0].w_in.weight, models[1].w_in.weight, atol=1e-6)
    assert torch.allclose(models[0].w_out.weight, models[1].w_out.weight, atol=1e-6)
    assert models[0].w_out.weight.abs().sum() > 0


def toy():
    sentences = load_toy_corpus()
    vocab = Vocab.from_tokens(sentences, min_count=2)
    ids, sentence_of = stream_from_sentences([vocab.encode(s) for s in sentences])
    return vocab, ids, sentence_of


def test_skipgram_learns_on_the_toy_corpus():
    vocab, ids, sentence_of = toy()
    model = HierarchicalSkipGram(huffman_tree(vocab.counts), 20,
                                 generator=torch.Generator().manual_seed(0))
    history = train(model, skipgram_pairs(ids, 2, sentence_of), epochs=10, batch_size=64,
                    lr=0.1, progress=False)
    # it starts near the unigram entropy (every turn 1/2 on a Huffman tree), so the
    # drop measures what it learned about contexts
    assert history.losses[-1] < history.losses[0] - 0.3


def test_cbow_learns_on_the_toy_corpus():
    vocab, ids, sentence_of = toy()
    model = HierarchicalCBOW(huffman_tree(vocab.counts), 20,
                             generator=torch.Generator().manual_seed(0))
    history = train(model, cbow_examples(ids, 2, sentence_of), epochs=20, batch_size=32,
                    lr=0.2, progress=False)
    assert history.losses[-1] < history.losses[0] - 0.5


def test_the_model_follows_the_device_and_rejects_a_bad_tree():
    tree = huffman_tree([3, 2, 1])
    model = HierarchicalSkipGram(tree, 4)
    assert {name for name, _ in model.named_buffers()} == {"path_points", "path_codes", "path_mask"}
    assert model.state_dict().keys() == {"w_in.weight", "w_out.weight"}
    assert model.w_out.weight.shape == (2, 4)
    with pytest.raises(TypeError, match="huffman_tree"):
        HierarchicalSkipGram([3, 2, 1], 4)
    with pytest.raises(ValueError, match="Empty batch"):
        model.loss(torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long))


def test_vocab_counts_give_a_tree_of_the_vocabulary():
    vocab, _, _ = toy()
    tree = huffman_tree(vocab.counts)
    assert isinstance(tree, HuffmanTree) and len(tree) == len(vocab)
    # the most frequent word has the shortest path
    assert len(tree.codes[int(np.argmax(vocab.counts))]) == int(tree.lengths.min())
    assert Counter(len(c) for c in tree.codes)  # a real distribution of lengths


# --- the recipe with gensim's parameter names -------------------------------------------------


@pytest.mark.parametrize("sg", [1, 0])
def test_the_recipe_trains_with_a_hierarchical_softmax(sg):
    from w2v_lib.recipe import train_word2vec

    run = train_word2vec(load_toy_corpus(), sg=sg, hs=1, negative=0, vector_size=10,
                         min_count=2, sample=0, epochs=10, batch_size=32, alpha=0.1,
                         progress=False)
    assert run.vectors.vectors.shape[1] == 10 and len(run.vectors.words) > 10
    assert run.history.losses[-1] < run.history.losses[0]
    assert run.effective_words_per_second > 0


@pytest.mark.parametrize("hs, negative", [(1, 5), (0, 0), (2, 0)])
def test_the_recipe_wants_one_output_layer(hs, negative):
    from w2v_lib.recipe import train_word2vec

    with pytest.raises(ValueError, match="Choose one output layer"):
        train_word2vec(load_toy_corpus(), hs=hs, negative=negative, min_count=2)


def test_draw_tree_draws_every_node_and_labels_every_branch():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tree = huffman_tree([45, 20, 14, 10, 6])
    words = ["the", "cat", "sat", "on", "mat"]
    ax = draw_tree(tree, words, path_of=1, turn_probs=torch.tensor([0.3, 0.6, 0.7, 0.4]))
    texts = [t.get_text() for t in ax.texts]
    assert {"0", "1", "2", "3"} <= set(texts)  # the four inner nodes, by number
    assert all(any(t.startswith(w) for t in texts) for w in words)
    # 8 branches, each labelled with its bit and the probability of taking it
    branch_labels = [t for t in texts if ":" in t]
    assert len(branch_labels) == 8 and "0: 0.40" in branch_labels and "1: 0.60" in branch_labels
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="5 leaves"):
        draw_tree(tree, words[:4])
