"""speech_etl.connect: the warehouse from Python, read-only, while an ingest
publishes a new one (issue 12, acceptance 3); speech_etl.__version__."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from importlib.metadata import version

import duckdb
import pandas as pd
import pytest

import speech_etl
from conftest import cli_env


def test_no_warehouse_is_one_clear_error(tmp_path):
    with pytest.raises(speech_etl.NoWarehouseError) as raised:
        speech_etl.connect(tmp_path / "nothing")
    message = str(raised.value)
    assert isinstance(raised.value, speech_etl.SpeechEtlError) and "\n" not in message
    assert message.startswith(f"no warehouse at {tmp_path / 'nothing' / 'warehouse.duckdb'}") and "speech-etl ingest" in message
    (tmp_path / "warehouse.duckdb").write_text("not a database")
    with pytest.raises(speech_etl.SpeechEtlError) as raised:
        speech_etl.connect(tmp_path)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("cannot open the warehouse")


def test_version_is_the_packages():
    assert speech_etl.__version__ == version("speech-etl")


def test_a_read_only_connection_with_the_views_and_macros(dev_warehouse):
    con = speech_etl.connect(dev_warehouse)
    frame = con.sql("SELECT indicator_key, year, value FROM year_over_year WHERE issuer = '国务院'").df()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 100
    history = con.sql("SELECT * FROM figure_history('urban_new_jobs', 'level', issuer := '国务院')").df()
    assert set(history["span"]) == {"year"}
    assert con.execute("SELECT count(*) FROM documents").fetchone() == con.execute(
        "SELECT count(*) FROM warehouse.documents").fetchone()
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE mine AS SELECT 1")
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DELETE FROM documents")
    con.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x")  # an analyst's scratch table is allowed
    assert con.sql("SELECT x FROM mine").fetchall() == [(1,)]
    # the file itself may be named too
    assert speech_etl.connect(dev_warehouse / "warehouse.duckdb").execute("SELECT count(*) FROM documents").fetchone() \
        == con.execute("SELECT count(*) FROM documents").fetchone()


NEW_TEXT = "2024年上半年,某县地区生产总值增长6.1%,城镇新增就业1.2万人。这是为连接测试写的一段文字。\n"


def test_a_connection_keeps_answering_while_an_ingest_publishes(dev_warehouse, tmp_path):
    warehouse = tmp_path / "w"
    shutil.copytree(dev_warehouse, warehouse, ignore=shutil.ignore_patterns("*.lock"))
    new_file = tmp_path / "new" / "county_2024_h1.txt"
    new_file.parent.mkdir()
    new_file.write_text(NEW_TEXT, encoding="utf-8")
    count = "SELECT count(*) FROM documents"
    old = speech_etl.connect(warehouse)
    before = old.execute(count).fetchone()[0]
    ingest = subprocess.Popen([sys.executable, "-m", "speech_etl", "ingest", str(new_file.parent),
                               "--warehouse", str(warehouse)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env=cli_env())
    answers = []
    while ingest.poll() is None:  # the old connection answers throughout, the publish included
        answers.append(old.execute(count).fetchone()[0])
        time.sleep(0.02)
    output = ingest.communicate()[0]
    assert ingest.returncode == 0, output
    assert len(answers) > 10 and set(answers) == {before}
    assert old.execute(count).fetchone()[0] == before
    new = speech_etl.connect(warehouse)  # a connection opened after the publish sees the new text
    assert new.execute(count).fetchone()[0] == before + 1
    assert new.execute("SELECT count(*) FROM documents WHERE contains(text, '为连接测试写的')").fetchone() == (1,)
    assert old.execute("SELECT count(*) FROM progress_to_target").fetchone() is not None
