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
from nasdsl.journal_lock import WriteLock, lock_path

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
        [sys.executable, "-c", "import sys, time\nfrom nasdsl.journal_lock import WriteLock\n"
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
    with pytest.raises(JournalError, match="cannot create its lock"):
        WriteLock(blocker / "journal.sqlite").acquire()
