"""`python -m index …` as a user runs it: build, docs, chunks, ask (arguments, stdin, JSON), eval."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.cli import main

pytestmark = pytest.mark.slow  # the CLI loads the real bundled model


def test_build_prints_a_summary_naming_skipped_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "nanshan.txt").write_text("南山区党建\n南山区432个快递网点的2万多名快递骑手参与社会治理。", encoding="utf-8")
    (corpus / "broken.docx").write_bytes(b"not a zip at all")

    status = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "index")])

    out, err = capsys.readouterr()
    assert status == 0
    assert "indexed 1 documents, 1 passages" in out
    assert "skipped broken.docx: corrupt .docx" in err


def test_build_of_a_corpus_with_nothing_readable_fails_with_a_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("", encoding="utf-8")

    status = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "index")])

    assert status == 1
    assert "error: no readable report" in capsys.readouterr().err


def test_docs_json_lists_each_report_with_its_metadata(built_index_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--index", str(built_index_dir), "--json"]) == 0

    docs = {d["id"]: d for d in map(json.loads, capsys.readouterr().out.splitlines())}
    nanshan = docs["001_744f9100ef1c3714"]
    assert (nanshan["title"], nanshan["kind"], nanshan["source"], nanshan["date"], nanshan["event_date"]) == (
        "在党的全面领导下构建社会治理共同体", "journal", "人民论坛", "", "2021-07")
    assert nanshan["reference"].endswith("[EB/OL]. 大国新村, [2021].")
    assert nanshan["places"][:2] == ["深圳市", "南山区"] and nanshan["passages"] > 0


def test_chunks_json_carries_title_section_and_offsets(built_index_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chunks", "--index", str(built_index_dir), "--json"]) == 0

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(r["title"] and r["end"] - r["start"] == len(r["text"]) for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)


def test_ask_json_prints_one_object_per_question_read_from_stdin(
        built_index_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("how did Nanshan organise courier riders\n\nHow do I bake bread?\n"))

    assert main(["ask", "--index", str(built_index_dir), "--json"]) == 0

    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["question"] for a in answers] == ["how did Nanshan organise courier riders", "How do I bake bread?"]
    first = answers[0]["results"][0]
    assert set(first) >= {"rank", "chunk_id", "doc_id", "title", "text", "score", "best_sentence", "citation"}
    assert first["rank"] == 1 and "432個快遞網點" in first["text"] and first["citation"].startswith("[1] 《")
    assert first["reference"] == (
        "人民论坛调研组. 在党的全面领导下构建社会治理共同体: 深圳市南山区的创新实践与经验启示[EB/OL]. 大国新村, [2021].")
    assert (answers[0]["citation_system"], first["reference_number"], first["in_text"]) == ("numeric", 1, "[1]")
    assert (first["missing"], first["missing_note"], first["original_source"]) == (
        ["url", "accessed"], "补充：网址、引用日期", "人民论坛[J]")
    assert (first["csl"]["id"], first["csl"]["type"], first["csl"]["publisher"]) == (
        "001_744f9100ef1c3714", "webpage", "大国新村")
    assert answers[1]["results"] == []


def test_ask_json_says_what_the_engine_understood(built_index_dir: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("How did Futian district organise delivery riders?\n"
                                                 "栖霞区2023年在红色物业方面做了什么\n北京市怎么推进小区治理\n"))

    assert main(["ask", "--index", str(built_index_dir), "--json"]) == 0

    futian, qixia, beijing = (json.loads(line)["understood"] for line in capsys.readouterr().out.splitlines())
    assert futian["language"] == "en" and futian["places_not_covered"] == ["福田区"]
    assert futian["nearest_places"] == ["南山区"] and futian["notices"][0]["text"].startswith("No report covers Futian")
    assert futian["notices"][0]["code"] == "place_not_covered" and futian["notices"][0]["nearest"] == ["南山区"]
    assert qixia["places"] == ["栖霞区"] and qixia["years_not_covered"] == [2023] and qixia["abstention_reason"] == ""
    # No report covers Beijing or its province, but 小区治理 is treated elsewhere: shown, and said so.
    assert beijing["places_not_covered"] == ["北京市"] and beijing["abstention_reason"] == ""
    assert beijing["notices"][0]["code"] == "place_not_covered" and "以下是其他地方" in beijing["notices"][0]["text"]


def test_ask_shows_a_simplified_questions_passages_in_simplified(built_index_dir: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--index", str(built_index_dir), "--top-k", "1", "南山区怎么发动快递骑手参与治理"]) == 0

    out = capsys.readouterr().out
    assert "432个快递网点" in out and "432個快遞網點" not in out


def test_ask_with_top_k_and_words_as_arguments(built_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--index", str(built_index_dir), "--json", "--top-k", "2", "栖霞区", "红色物业"]) == 0

    answer = json.loads(capsys.readouterr().out)
    assert answer["question"] == "栖霞区 红色物业" and len(answer["results"]) == 2


def test_ask_with_an_empty_line_argument_is_an_error(built_index_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--index", str(built_index_dir), "？"]) == 1
    assert "请输入" in capsys.readouterr().err


def test_eval_prints_the_metrics_table(built_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = Path(__file__).parents[2] / "eval" / "dev_questions.jsonl"

    assert main(["eval", str(questions), "--index", str(built_index_dir)]) == 0

    out = capsys.readouterr().out
    assert "| all | 32 |" in out and "| out_of_corpus | 2 |" in out and "2/2" in out


def test_missing_index_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--index", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


HEAVY = ("torch", "transformers", "sentence_transformers")
# Runs the CLI as `python -m index` does, then reports which modules the process imported.
PROBE = """
import json, runpy, sys
sys.argv = ["index", *json.loads(sys.argv[1])]
try:
    runpy.run_module("index", run_name="__main__")
except SystemExit:
    pass
print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(arguments: list[str]) -> tuple[str, set[str]]:
    """stdout of a real `python -m index …` process and the top-level packages it imported."""
    from index.settings import PROJECT_ROOT

    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(arguments)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES "))
    return done.stdout, {m.split(".")[0] for m in json.loads(line.removeprefix("MODULES "))}


def test_answering_with_the_onnx_model_imports_no_torch(built_index_dir: Path) -> None:
    out, modules = imported_by(["ask", "--json", "--index", str(built_index_dir), "南山区怎么发动快递骑手参与治理"])

    assert json.loads(out)["results"]  # it really answered
    assert "onnxruntime" in modules and "sentencepiece" in modules
    assert "tokenizers" not in modules  # its 0.6 s load is what sentencepiece saves (index/model/spm_model.py)
    assert "pypinyin" not in modules  # 0.3-0.5 s of tables that only questions in Latin letters need
    assert not modules & {"bm25s", "scipy"}  # 0.1-0.15 s: answering reads bm25s' matrix files itself
    assert not modules & set(HEAVY)


@pytest.mark.parametrize("arguments", [pytest.param(["docs"], id="docs"), pytest.param(["chunks"], id="chunks"),
                                       pytest.param(["--help"], id="help")])
def test_commands_without_a_model_load_no_model_library(built_index_dir: Path, arguments: list[str]) -> None:
    if arguments != ["--help"]:
        arguments = [*arguments, "--index", str(built_index_dir)]

    _, modules = imported_by(arguments)

    assert not modules & {*HEAVY, "onnxruntime", "sentencepiece", "tokenizers", "onnx"}


def test_a_bad_setting_is_one_line_naming_it_without_its_value(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INDEX_TOP_K", "abc-secret-looking")

    assert main(["ask", "红色物业"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("error: setting index.top_k:") and err.count("\n") == 1
    assert "abc-secret-looking" not in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-1", "100000", "many"])
def test_top_k_outside_one_to_a_hundred_is_refused_by_the_parser(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ask", "--top-k", value, "红色物业"])

    assert stopped.value.code == 2 and "--top-k" in capsys.readouterr().err


def test_an_index_folder_that_cannot_be_written_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    status = main(["build", "--corpus", str(tmp_path), "--index", str(blocker / "index")])

    err = capsys.readouterr().err
    assert status == 1 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
