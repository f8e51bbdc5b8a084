"""``rnnforecast benchmark --out``: never writes through a link, and every path problem
is a one-line error with exit status 2 (issue 13, cause 7)."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from rnnforecast.cli import main

FAST = ["benchmark", "--dataset", "nile", "--models", "naive,drift", "--windows", "1",
        "--no-progress"]
CSV = "benchmark_nile_h10.csv"


def _fails(argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    return err


def test_symlinked_out_folder_is_refused(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    err = _fails([*FAST, "--out", str(tmp_path / "link")], capsys)
    assert "symbolic link" in err and "link" in err
    assert list(real.iterdir()) == []


def test_planted_symlink_file_is_refused_and_its_target_untouched(tmp_path, capsys):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / CSV).symlink_to(outside)
    err = _fails([*FAST, "--no-plot", "--out", str(out)], capsys)
    assert "symbolic link" in err and CSV in err
    assert outside.read_text() == "keep me"


def test_planted_hard_link_is_replaced_not_written_through(tmp_path, capsys):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    os.link(outside, out / CSV)
    assert main([*FAST, "--no-plot", "--out", str(out)]) == 0
    assert outside.read_text() == "keep me"
    table = pd.read_csv(out / CSV, index_col="model")
    assert list(table.index) == ["naive", "drift"]


def test_existing_file_as_out_is_a_one_line_error(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    err = _fails([*FAST, "--out", str(target)], capsys)
    assert "exists and is not a folder" in err and "file.txt" in err
    assert target.read_text() == "x"


def test_empty_out_is_refused_not_the_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = _fails([*FAST, "--out", ""], capsys)
    assert "--out is empty" in err, err
    assert list(tmp_path.iterdir()) == []


def test_out_below_a_file_cannot_be_created(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    err = _fails([*FAST, "--out", str(tmp_path / "file.txt" / "sub")], capsys)
    assert "cannot be created" in err


def test_a_folder_where_a_result_file_goes_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    (out / CSV).mkdir(parents=True)
    err = _fails([*FAST, "--no-plot", "--out", str(out)], capsys)
    assert "not a regular file" in err


def test_rerun_replaces_result_files_and_leaves_no_temporary_files(tmp_path, capsys):
    out = tmp_path / "out"
    for _ in range(2):
        assert main([*FAST, "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["benchmark_nile_h10.csv", "benchmark_nile_h10.md", "benchmark_nile_h10.png"]
    assert (out / "benchmark_nile_h10.png").read_bytes()[:4] == b"\x89PNG"


def test_console_script_exit_status_and_single_line(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    proc = subprocess.run([sys.executable, "-m", "rnnforecast", *FAST, "--out", str(target)],
                          capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("rnnforecast benchmark: error: --out")
