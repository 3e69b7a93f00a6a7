"""Bad input: each case is one Rejection naming the file (and line) with a reason saying what to do.

The bad files are written in tmp_path; the batch always goes on to the good report after them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontwatch.ingest import read_reports
from frontwatch.model import Rejection, Report

GOOD = "date 2022-09-10\nUkrainian troops entered Kupiansk, officials said.\n"


def one_rejection(path: Path, **kw: int) -> Rejection:
    good = path.parent / "zz-good.txt"
    good.write_text(GOOD, encoding="utf-8")
    items = list(read_reports([path, good], **kw))
    assert isinstance(items[-1], Report), "the batch must go on after a bad file"
    [rej] = items[:-1]
    assert isinstance(rej, Rejection)
    assert rej.origin.startswith(str(path))
    assert "\n" not in rej.reason and str(path) in str(rej)
    return rej


@pytest.mark.parametrize("content", [b"", b"   \n\n\t"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    assert "empty file" in one_rejection(f).reason


@pytest.mark.parametrize(("content", "word"), [
    (b"date 2022-09-10\nabc\x00\x01\x02", "NUL byte"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (bytes(range(256)) * 4, "binary"),
    ("date 2022-09-10\ntext".encode("utf-16"), "UTF-16"),
])
def test_binary_file(tmp_path: Path, content: bytes, word: str) -> None:
    f = tmp_path / "blob.txt"
    f.write_bytes(content)
    reason = one_rejection(f).reason
    assert word in reason


def test_no_date(tmp_path: Path) -> None:
    f = tmp_path / "nodate.txt"
    f.write_text("Russian forces shelled the town overnight, officials said.\n")
    reason = one_rejection(f).reason
    assert "no `date YYYY-MM-DD` line" in reason and "add one" in reason


def test_word_date_in_prose_is_no_date(tmp_path: Path) -> None:
    f = tmp_path / "prose.txt"
    f.write_text("Date of the attack is unclear.\n")
    assert "no `date YYYY-MM-DD` line" in one_rejection(f).reason


@pytest.mark.parametrize("token", ["2022-13-45", "2022-02-30", "2022-09-10x"])
def test_invalid_date(tmp_path: Path, token: str) -> None:
    f = tmp_path / "baddate.txt"
    f.write_text(f"date {token}\nTroops entered the village.\n")
    reason = one_rejection(f).reason
    assert "invalid date" in reason and token in reason and "YYYY-MM-DD" in reason


def test_date_without_body(tmp_path: Path) -> None:
    f = tmp_path / "nobody.txt"
    f.write_text("date 2022-09-10\nsource TASS\n\n")
    assert "no text" in one_rejection(f).reason


def test_non_utf8_text_names_encoding_problem_and_byte(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    data = "date 2022-09-10\nKharkiv caf\xe9 hit by a missile.\n".encode("latin-1")
    f.write_bytes(data)
    reason = one_rejection(f).reason
    assert "not UTF-8" in reason and "0xe9" in reason and f"byte {data.index(0xE9)}" in reason
    assert "line 2" in reason and "re-save the file as UTF-8" in reason


def test_file_over_size_limit_is_not_read(tmp_path: Path) -> None:
    f = tmp_path / "huge.jsonl"
    line = json.dumps({"date": "2022-09-10", "text": "x" * 1000}) + "\n"
    f.write_text(line * 20)
    reason = one_rejection(f, max_bytes=10_000).reason
    assert "over the size limit of 10,000" in reason and "--max-bytes" in reason
    # Under a larger limit the same file reads fine.
    assert sum(isinstance(i, Report) for i in read_reports([f], max_bytes=100_000)) == 20


def test_default_limit_is_5mb(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    with f.open("wb") as fh:  # sparse: no 5 MB written to disk
        fh.truncate(5_000_001)
    assert "5,000,000" in one_rejection(f).reason


def test_csv_without_text_column_is_one_rejection(tmp_path: Path) -> None:
    f = tmp_path / "notext.csv"
    f.write_text("date,headline\n2022-09-10,Izium retaken\n2022-09-11,Kupiansk entered\n")
    reason = one_rejection(f).reason
    assert "no text column" in reason and "`text`" in reason and "headline" in reason


def test_csv_bad_row_names_line(tmp_path: Path) -> None:
    f = tmp_path / "rows.csv"
    f.write_bytes(b"date,text\n2022-09-10,ok\n2022-09-11,caf\xe9\n2022-13-45,bad date\n2022-09-12,fine\n")
    items = list(read_reports([f]))
    rej = [i for i in items if isinstance(i, Rejection)]
    assert [r.origin for r in rej] == [f"{f}:3", f"{f}:4"]
    assert "not UTF-8" in rej[0].reason and "invalid date" in rej[1].reason
    assert [i.text for i in items if isinstance(i, Report)] == ["ok", "fine"]


def test_unknown_extension(tmp_path: Path) -> None:
    f = tmp_path / "report.docx"
    f.write_bytes(b"PK\x03\x04 whatever")
    reason = one_rejection(f).reason
    assert "unknown format" in reason and ".docx" in reason and ".jsonl" in reason


def test_missing_path(tmp_path: Path) -> None:
    f = tmp_path / "nope.txt"
    assert "no such file" in one_rejection(f).reason


def test_jsonl_broken_line_reason(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    f.write_text('{"date": "2022-09-10", "text": "a"\n')
    rej = one_rejection(f)
    assert rej.origin == f"{f}:1" and "broken JSON" in rej.reason and "fix or remove this line" in rej.reason


def test_jsonl_record_without_text(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('{"date": "2022-09-10", "title": "only a title"}\n')
    assert "`text` or `body`" in one_rejection(f).reason
