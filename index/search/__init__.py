"""Passage search, in the order a question meets it.

question.py   what a question asks: script, places (covered or not), years, names, English terms (pure)
scope.py      which places and years the reports cover, and what to offer when they do not (pure)
evidence.py   per passage: how much of the question it holds, its best sentence (pure)
fusion.py     reciprocal-rank fusion and the boosts for place, named phrase and year (pure)
abstain.py    whether to say that nothing in the reports answers (pure)
distinct.py   near-duplicates dropped, broad questions spread over distinct practices (pure)
calibration.py every tuned constant, with the evidence for its value
protocols.py  what search needs of the embedder, vector index and keyword index
searcher.py   HybridSearcher: the I/O that wires the above together
"""
