"""The journal's write lock: a second writer is refused naming the holder; the lock goes with
its holder however it ends; readers never need it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from nasdsl.errors import JournalInUse
from nasdsl.journal.lock import WriteLock, lock_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="advisory locks are POSIX")


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    journal = tmp_path / "journal.sqlite"
    with WriteLock(journal):
        with pytest.raises(JournalInUse, match=f"pid {os.getpid()}.*since "):
            WriteLock(journal).acquire()
    with WriteLock(journal):  # released: the next writer gets it
        pass


def test_the_lock_goes_with_a_killed_holder(tmp_path):
    journal = tmp_path / "journal.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom nasdsl.journal.lock import WriteLock\n"
         f"WriteLock({str(journal)!r}).acquire()\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(JournalInUse, match=f"pid {holder.pid}"):
            WriteLock(journal).acquire()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        assert lock_path(journal).exists()  # left behind, and harmless
        with WriteLock(journal):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_lock_that_cannot_be_created_is_a_journal_error(tmp_path):
    from nasdsl.errors import JournalError

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(JournalError, match="cannot create the journal .*lock file"):
        WriteLock(blocker / "journal.sqlite").acquire()


def test_a_second_run_exits_2_naming_the_holder_and_readers_go_on(tmp_path, monkeypatch,
                                                                   capsys):
    """While a run holds the journal's lock (here: this test), `nasdsl run` of the same file
    is refused before touching anything, and `nasdsl report` reads the journal as usual."""
    from nasdsl.cli import main
    from nasdsl.store.importer import import_file
    from nb101_small import write_table

    monkeypatch.chdir(tmp_path)
    store = import_file(write_table(tmp_path / "t.npz"), tmp_path / "data").store
    exp = tmp_path / "exp.nas"
    exp.write_text("experiment locked\nseed = 1\nrepeat = 1\nbudget = 40 evaluations\n"
                   "space cell { vertices = 7; edges = 9 }\n"
                   f'evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; data = "{store}" }}\n'
                   'search random\noutput = "out"\n')
    assert main(["run", str(exp), "--quiet"]) == 0
    journal = tmp_path / "out" / "journal.sqlite"
    before = journal.read_bytes()
    capsys.readouterr()
    with WriteLock(journal):
        assert main(["run", str(exp), "--quiet", "--fresh"]) == 2
        err = capsys.readouterr().err
        assert f"out/journal.sqlite is being written by another nasdsl run (pid {os.getpid()}" in err
        assert journal.read_bytes() == before  # --fresh did not get to delete it
        assert main(["report", str(tmp_path / "out")]) == 0
    assert main(["run", str(exp), "--quiet", "--fresh"]) == 0
