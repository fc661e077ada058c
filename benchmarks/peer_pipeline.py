"""The retrieval a LangChain-Chatchat-style pipeline runs, for benchmarks/runtimes.py's peer row.

Chatchat answers from a knowledge base by embedding the question with a Hugging Face model through
sentence-transformers on torch (float32 on a CPU) and taking the nearest chunks from a FAISS flat
inner-product index; it ranks nothing further. This is that path with the same bundled model and the
same passages as the project, and none of LangChain's own layers, so it is the peer at its fastest:
a real Chatchat adds its framework's overhead on top. Three commands, each a whole process:

  build  PASSAGES.json OUT        embed every passage (batches of 32, length-sorted by
                                  sentence-transformers) and write OUT/faiss.index + OUT/texts.json
  warm   QUESTIONS.json OUT       load, then time questions (embedding) and answers (embedding + search
                                  + the top 10 texts) over ROUNDS rounds; prints JSON
  ask    QUESTION OUT             load and answer one question (timed from outside, as cold `ask`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from common import peak_rss_mib, timed, timed_ms  # before index/ (see common.py)

ROUNDS = 2
TOP = 10


def _model() -> Any:
    from sentence_transformers import SentenceTransformer

    from index.settings import DEFAULT_MODEL_DIR

    return SentenceTransformer(str(DEFAULT_MODEL_DIR), device="cpu")


def build(passages_file: Path, out: Path) -> None:
    import faiss

    passages = json.loads(passages_file.read_text(encoding="utf-8"))

    def build_and_save() -> None:
        model = _model()
        vectors = model.encode([f"passage: {p}" for p in passages], batch_size=32, normalize_embeddings=True,
                               convert_to_numpy=True)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        out.mkdir(parents=True, exist_ok=True)
        faiss.write_index(index, str(out / "faiss.index"))
        (out / "texts.json").write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")

    seconds, _ = timed(build_and_save)
    print(json.dumps({"build_rate": len(passages) / seconds}))


def _load(out: Path) -> tuple[Any, Any, list[str]]:
    import faiss

    return _model(), faiss.read_index(str(out / "faiss.index")), json.loads((out / "texts.json").read_text("utf-8"))


def _answer(model: Any, index: Any, texts: list[str], question: str) -> list[str]:
    vector = model.encode([f"query: {question}"], normalize_embeddings=True, convert_to_numpy=True)
    _, rows = index.search(vector, TOP)
    return [texts[r] for r in rows[0] if r >= 0]


def warm(questions_file: Path, out: Path) -> None:
    model, index, texts = _load(out)
    questions = json.loads(questions_file.read_text(encoding="utf-8"))
    for question in questions:
        _answer(model, index, texts, question)
    question_ms, answer_ms = [], []
    for _ in range(ROUNDS):
        for question in questions:
            question_ms.append(timed_ms(lambda: model.encode([f"query: {question}"], normalize_embeddings=True,
                                                             convert_to_numpy=True)))
            answer_ms.append(timed_ms(lambda: _answer(model, index, texts, question)))
    rss_mb = peak_rss_mib()
    passages = texts
    model.encode([f"passage: {p}" for p in passages[:8]], batch_size=32)
    seconds, _ = timed(lambda: model.encode([f"passage: {p}" for p in passages], batch_size=32,
                                            normalize_embeddings=True))
    print(json.dumps({"question_ms": question_ms, "answer_ms": answer_ms, "rss_mb": rss_mb,
                      "embed_rate": len(passages) / seconds}))


def ask(question: str, out: Path) -> None:
    model, index, texts = _load(out)
    print("\n\n".join(_answer(model, index, texts, question))[:200])


if __name__ == "__main__":
    command, argument, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    {"build": lambda: build(Path(argument), folder), "warm": lambda: warm(Path(argument), folder),
     "ask": lambda: ask(argument, folder)}[command]()
