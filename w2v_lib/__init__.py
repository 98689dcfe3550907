"""w2v_lib: the word2vec library built chapter by chapter in "word2vec from scratch, in PyTorch".

One module per concept, each named after it:

* ``tokenizer``: raw text to tokens (chapter 1)
* ``vocab``: the vocabulary, words to indices and back, with counts (chapter 1)
* ``toy_corpus``: the small corpus of the first chapters (chapter 1)
* ``scale``: the one knob that sizes every experiment, and the device (chapter 1)
* ``timing``: timing code fairly on CPU and GPU (chapter 1)
* ``wikitext``: the WikiText corpora: download, verify, read (chapter 2)
* ``windows``: context windows, skip-gram pairs and CBOW examples (chapters 2 and 3)
* ``skipgram``: skip-gram with a full softmax, and its gradients by hand (chapter 2)
* ``cbow``: CBOW with a full softmax, and its gradients by hand (chapter 3)
* ``training``: the SGD loop with linear learning-rate decay (chapter 2)
* ``neighbours``: nearest neighbours by cosine similarity (chapter 2)
* ``progress``: a progress line for terminals and notebooks (chapter 2)
* ``noise``: the noise distribution and three samplers (chapter 4)
* ``negative_sampling``: SGNS and CBOW with negative sampling (chapters 4 and 5)
* ``evaluation``: WordSim353 and conversion to gensim (chapter 4; more in chapter 6)
* ``scores``: the metric table every chapter reports, over several seeds (chapters 2-6)
* ``subsampling``: keep-probabilities of frequent words (chapter 5)
* ``vectors``: trained word vectors: neighbours, analogies, word2vec files (chapter 6)
* ``atomic_write``: files that are either written whole or not at all (chapter 6)
* ``recipe``: chapter 5's recipe in one call, with gensim's parameter names (chapter 6)
* ``plots``: 2-D maps of word groups, PCA and t-SNE (chapter 6)
* ``frequency_effects``: how a word's count shows in its vector's length and its
  neighbours (chapter 6)
* ``diagrams``: pictures of the ideas, in one palette: the networks, the window, the two
  tables, real pair against noise, subsampling (chapters 2 to 5)
* ``corpus``: a whole corpus as one tensor of word indices (chapter 7)
* ``fast_training``: the fast trainer for CPU and GPU, with checkpoints (chapter 7)
* ``roofline``: kernels, bytes and arithmetic of a step, counted; the GPU model (chapter 7)
* ``train``: the command line ``python -m w2v_lib.train`` (chapter 7)
* ``cooccurrence``: counting which words occur near which, in sparse form (chapter 8)
* ``pmi``: PMI, the optimum of SGNS, and word vectors from a truncated SVD (chapter 8)
* ``memory``: the peak memory a piece of code needs (chapter 8)
* ``pretrained``: pretrained vectors from gensim's downloader, read in part (chapter 9)
* ``sentiment_lexicon``: the VADER lexicon of words rated by people (chapter 9)
* ``sections``: WikiText paragraphs labelled by their section heading (chapter 9)
* ``text_classifier``: texts as the mean of their word vectors; ``nn.EmbeddingBag`` (chapter 9)
* ``confidence``: bootstrap intervals that resample whole groups (chapter 9)
* ``bias_direction``: a direction from word pairs, projections, removal (chapter 9)
* ``weat``: the Word Embedding Association Test (chapter 9)
* ``distributed``: training on several processes, GPUs or machines (appendix B)
* ``checks``: the checks that answer the exercises (every chapter)
"""

from .scale import Scale, current_scale, pick_device
from .tokenizer import tokenize
from .toy_corpus import load_toy_corpus
from .vocab import UNK, Vocab

__all__ = ["UNK", "Scale", "Vocab", "current_scale", "load_toy_corpus", "pick_device", "tokenize"]
__version__ = "0.1.0"
