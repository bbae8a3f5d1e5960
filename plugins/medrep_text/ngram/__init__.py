"""n-gram counting and Kneser-Ney probabilities behind the ``ngram-lm`` explorer.

- :mod:`~medrep_text.ngram.counts`: k-gram counts in sorted numpy arrays, saved and loaded
  without pickle.
- :mod:`~medrep_text.ngram.kneser_ney`: interpolated Kneser-Ney distributions.
- :mod:`~medrep_text.ngram.context`: tokenizing a query like a tokens file.
- :mod:`~medrep_text.ngram.query`: the Python API behind ``medrep words ngram``.
"""
