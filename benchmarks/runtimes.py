"""Every embedding runtime side by side, and the previous release: `python benchmarks/runtimes.py`.

One run, one table. Each runtime builds the same corpus (the reports plus tests/data/other_districts)
with the real `python -m index build`, then, in a fresh process, answers the same questions
(eval/questions.jsonl) and embeds the same passages; cold `ask` is a whole `python -m index ask`
process. The previous release is the code at --baseline (default a072bc4), checked out with
`git worktree` and run the same way. The peer row is benchmarks/peer_pipeline.py: the retrieval a
LangChain-Chatchat-style pipeline runs (sentence-transformers on torch float32, FAISS flat, top 10 by
cosine, nothing ranked), with the same model and passages. Prints the CPU model and flags, the load of
the machine (other work on it slows every row alike, not evenly), and a GPU row when CUDA is there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ROOT, cpu_description, eval_questions, peak_rss_mib, percentile, timed, timed_ms

QUESTION = "南山区怎么发动快递骑手参与治理"
ROUNDS = 2  # warm rounds over the questions
COLD_RUNS = 3  # whole processes per cold figure
# (label, environment for this code, or None for the previous release)
RUNTIMES: list[tuple[str, dict[str, str] | None]] = [
    ("previous release (torch, auto precision)", None),
    ("torch float32", {"INDEX_RUNTIME": "torch", "INDEX_PRECISION": "float32", "INDEX_DEVICE": "cpu"}),
    ("ONNX float32 (default: questions in int8 arithmetic)", {"INDEX_RUNTIME": "onnx", "INDEX_PRECISION": "float32"}),
    ("ONNX float32, float32 questions", {"INDEX_RUNTIME": "onnx", "INDEX_PRECISION": "float32",
                                         "INDEX_QUESTION_ARITHMETIC": "float32"}),
    ("ONNX int8", {"INDEX_RUNTIME": "onnx", "INDEX_PRECISION": "int8"}),
]


PEER = "peer pipeline (Chatchat-style: sentence-transformers torch float32 + FAISS flat, no ranking)"


def engine_under_test(index_dir: Path) -> tuple[Any, Any, Callable[[], None]]:
    """The engine of the code on the path, its embedder, and what empties its cache of recent questions."""
    from index.settings import IndexSettings

    settings = IndexSettings(index_dir=index_dir)
    try:
        from index.answer.engine import open_engine
    except ModuleNotFoundError:  # the previous release (a072bc4): index/answer.py, before the folders
        from index.answer import open_engine  # type: ignore[attr-defined,no-redef]

        engine = open_engine(settings)
        # That commit offers no public way to its searcher's parts; its names are fixed with it.
        released = engine._searcher
        return engine, released._embedder, released._recent.cache_clear
    engine = open_engine(settings)
    return engine, engine.searcher.encoder, engine.searcher.forget_recent


def worker(index_dir: str, questions_file: str, passages_file: str) -> None:
    """Runs inside the code under test: warm question and answer latency, then passage embedding."""
    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    passages = json.loads(Path(passages_file).read_text(encoding="utf-8"))
    engine, embedder, forget_recent = engine_under_test(Path(index_dir))
    for question in questions:  # warm-up: lazy imports, first-call allocations
        engine.answer(question)
    question_ms, answer_ms = [], []
    for _ in range(ROUNDS):
        for question in questions:
            question_ms.append(timed_ms(lambda: embedder.encode_queries([question])))
            forget_recent()  # a repeated question is served from cache; time a new one
            answer_ms.append(timed_ms(lambda: engine.answer(question)))
    rss_mb = peak_rss_mib()
    embedder.encode_passages(passages[:8])
    seconds, _ = timed(lambda: embedder.encode_passages(passages))
    print(json.dumps({"question_ms": question_ms, "answer_ms": answer_ms, "rss_mb": rss_mb,
                      "embed_rate": len(passages) / seconds}))


def run(code: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A Python process over the code in folder `code` (PYTHONPATH wins over the venv's editable install)."""
    done = subprocess.run([sys.executable, *args], cwd=code, capture_output=True, text=True,
                          env={**os.environ, **env, "PYTHONPATH": str(code)})
    if done.returncode != 0:
        raise RuntimeError(f"{args} in {code} failed:\n{done.stderr[-3000:]}")
    return done


def timed_process(code: Path, args: list[str], env: dict[str, str]) -> float:
    """Median wall time of a whole process, COLD_RUNS runs."""
    return statistics.median(timed(lambda: run(code, args, env))[0] for _ in range(COLD_RUNS))


def measure(label: str, code: Path, env: dict[str, str], corpus: Path, work: Path,
            questions_file: Path, passages_file: Path) -> dict[str, object]:
    """Build, warm answers, passage rate and cold ask for one runtime."""
    index_dir = work / re.sub(r"\W+", "-", label)
    built = run(code, ["-m", "index", "build", "--corpus", str(corpus), "--index", str(index_dir)], env)
    summary = re.search(r"(\d+) passages .*?([\d.]+) s\]", built.stdout)
    if summary is None:
        raise RuntimeError(f"unexpected build summary: {built.stdout!r}")
    passages, seconds = int(summary.group(1)), float(summary.group(2))
    out = run(code, [str(Path(__file__).resolve()), "--worker", str(index_dir), str(questions_file),
                     str(passages_file)], env).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["build_rate"] = passages / seconds
    result["cold_ask_s"] = timed_process(code, ["-m", "index", "ask", "--index", str(index_dir), QUESTION], env)
    print(f"  measured {label}", file=sys.stderr, flush=True)
    return result


def measure_peer(work: Path, questions_file: Path, passages_file: Path) -> dict[str, object]:
    """The peer pipeline's build, warm answers, passage rate and cold ask, as measure() does for ours."""
    peer, out = str(Path(__file__).resolve().parent / "peer_pipeline.py"), work / "peer"
    built = json.loads(run(ROOT, [peer, "build", str(passages_file), str(out)], {}).stdout.strip().splitlines()[-1])
    result: dict[str, object] = json.loads(run(ROOT, [peer, "warm", str(questions_file), str(out)], {})
                                           .stdout.strip().splitlines()[-1])
    result["build_rate"] = built["build_rate"]
    result["cold_ask_s"] = timed_process(ROOT, [peer, "ask", QUESTION, str(out)], {})
    print("  measured the peer pipeline", file=sys.stderr, flush=True)
    return result


def gpu_row() -> str:
    """Bulk passage embedding on a CUDA GPU (sentence-transformers, float16), when there is one."""
    from index.model.embed import cuda_available

    if not cuda_available():
        return "GPU: no GPU found (no CUDA device), so no GPU figure."
    import torch

    out = run(ROOT, [str(ROOT / "benchmarks" / "embed_speed.py"), "--queries", "20", "--passages", "50000"],
              {"INDEX_DEVICE": "cuda", "INDEX_RUNTIME": "auto", "INDEX_PRECISION": "auto"}).stdout
    rate = next((line for line in out.splitlines() if line.startswith("passages:")), out.strip())
    return f"GPU: {torch.cuda.get_device_name(0)}, 50,000 passages of ~300 characters: {rate}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="a072bc4", help="git revision of the previous release")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    from index.chunk.cut import index_text
    from index.store.folder import read_chunks

    with tempfile.TemporaryDirectory(prefix="runtimes-") as folder:
        work = Path(folder)
        corpus = work / "corpus"
        corpus.mkdir()
        for source in [*(ROOT / "corpus").glob("*.txt"), *(ROOT / "tests/data/other_districts").iterdir()]:
            shutil.copy(source, corpus / source.name)
        baseline = work / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            (baseline / "models").symlink_to(ROOT / "models")
            questions_file, passages_file = work / "questions.json", work / "passages.json"
            questions = eval_questions("questions.jsonl")
            questions_file.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
            probe = work / "probe"  # this code's passages, embedded by every runtime alike
            run(ROOT, ["-m", "index", "build", "--corpus", str(corpus), "--index", str(probe)], {})
            passages = [index_text(c) for c in read_chunks(probe)]
            passages_file.write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
            load = os.getloadavg()
            results = {}
            for label, env in RUNTIMES:
                results[label] = measure(label, baseline if env is None else ROOT, env or {}, corpus, work,
                                         questions_file, passages_file)
            results[PEER] = measure_peer(work, questions_file, passages_file)
            import_torch = timed_process(ROOT, ["-c", "import torch"], {})
            gpu = gpu_row()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)
    print_table(results, len(questions), len(passages), import_torch=import_torch, load=load, gpu=gpu)


def print_table(results: dict[str, dict[str, object]], questions: int, passages: int, *,
                import_torch: float, load: tuple[float, float, float], gpu: str) -> None:
    """The one table, with what it was measured on."""
    print(f"CPU: {cpu_description()}")
    print(f"load average when started: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min); "
          f"end: {os.getloadavg()[0]:.1f}")
    print(f"{questions} questions x {ROUNDS} rounds, warm; {passages} passages; "
          f"cold ask = median of {COLD_RUNS} whole `python -m index ask` processes")
    print()
    print("| runtime | question p50 | question p95 | answer p50 | answer p95 | build passages/s | "
          "embed passages/s | peak RSS answering | cold ask |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        q, a = r["question_ms"], r["answer_ms"]
        assert isinstance(q, list) and isinstance(a, list)
        print(f"| {label} | {statistics.median(q):.1f} ms | {percentile(q, 0.95):.1f} ms | "
              f"{statistics.median(a):.1f} ms | {percentile(a, 0.95):.1f} ms | {r['build_rate']:.1f} | "
              f"{r['embed_rate']:.1f} | {r['rss_mb']:.0f} MB | {r['cold_ask_s']:.2f} s |")
    print()
    print(f"`python -c \"import torch\"` alone: {import_torch:.2f} s")
    print(gpu)


if __name__ == "__main__":
    main()
