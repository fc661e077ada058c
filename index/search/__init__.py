"""Passage search, in the order a question meets it.

question.py   what a question asks: script, places (covered or not), years, names, English terms (pure)
scope.py      which places and years the reports cover, and what to offer when they do not (pure)
evidence.py   per passage: how much of the question it holds, its best sentence (pure)
fusion.py     the evidence scaled and added, then the boosts for place, phrase, year and practice (pure)
abstain.py    whether to say that nothing in the reports answers (pure)
distinct.py   near-duplicates dropped; which passages describe something done (pure)
calibration.py every tuned constant, with the evidence for its value
protocols.py  what search needs of the embedder, vector index and keyword index
searcher.py   HybridSearcher: the I/O that wires the above together
"""
