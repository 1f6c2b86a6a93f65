"""Read-only access to a journal: what reports, `status` and a resume read — verified
evaluations, retrainings, runs, meta, progress. Opening one never changes the file, and
never takes the writer's lock: reports read a running experiment as a finished one."""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from nasdsl.errors import JournalError
from nasdsl.journal import verify
from nasdsl.journal.file import refuse_foreign
from nasdsl.journal.records import Recorded, RunProgress, RunState
from nasdsl.journal.rows import numbers
from nasdsl.journal.schema import FINAL_COLUMNS, check_version, explain, has_column
from nasdsl.journal.values import expand_json, json_columns, number
from nasdsl.result import Result

_EVALUATION_COLUMNS = ["search", "config", "run", "seed", "index", "generation", "architecture",
                       "hash", "fitness", "status", "error", "cost_seconds", "wall_seconds"]



def _fidelities(metrics: Any) -> np.ndarray:
    """Each row's fidelity (its metrics' `epochs`; NaN for none), parsed only where a
    multi-fidelity search wrote one."""
    out = np.full(len(metrics), np.nan)
    for i, text in enumerate(metrics):
        if text and '"epochs_trained"' in text:
            value = json.loads(text).get("epochs")
            if isinstance(value, (int, float)):
                out[i] = value
    return out


def _column(values: np.ndarray) -> pd.Series:
    """An object array of what SQLite gave back as the column pandas would make of it as a
    list (text, whole numbers, floats with NaN for NULL), without the list."""
    try:
        return pd.Series(values, dtype=None).infer_objects()
    except (TypeError, ValueError):
        return pd.Series(values.tolist())


class Reader:
    """An open journal, read-only: `Reader.open(path)`."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path
        self._warned = False

    @classmethod
    def open(cls, path: str | Path) -> "Reader":
        """JournalError when there is no journal at `path` or it cannot be read;
        ForeignFile when the file there is not a nasdsl journal."""
        path = Path(path)
        if refuse_foreign(path).kind == "absent":
            raise JournalError(f"no journal at {path}")
        uri = path.absolute().as_uri() + "?mode=ro"
        db = None
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            if db is not None:
                db.close()
            raise JournalError(f"cannot read the journal {path}: {explain(e)}") from e
        reader = cls(db, path)
        reader._check_version()
        return reader

    def _check_version(self) -> None:
        check_version(self.meta(), self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- checked rows ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """A damaged file (truncated, garbage inside) read here is a JournalError naming it."""
        try:
            yield
        except (sqlite3.DatabaseError, pd.errors.DatabaseError, ValueError, TypeError) as e:
            raise JournalError(f"cannot read the journal {self.path}: {explain(e)}; the file "
                               "is damaged (truncated, or overwritten inside): move it aside "
                               "and run again, or use --fresh") from e

    def _has_arrival_column(self) -> bool:
        return has_column(self._db, "evaluations", "arrival")

    def _unverified(self) -> None:
        """Say once that this journal's rows carry no checksums."""
        if not self._warned:
            self._warned = True
            print(f"warning: {self.path} was written before journal rows carried checksums: "
                  "its rows are read unverified (a run that resumes it adds them)",
                  file=sys.stderr)

    def _verified(self, run: str | None = None) -> verify.Checked:
        """The evaluations (all, or one run's), checked (`verify.evaluations`)."""
        return verify.evaluations(self._db, self.path, run, self._unverified)

    def verify(self) -> None:
        """Check every evaluation and retraining row, as reports do: a run adds to a sound
        journal only, even when every run it resumes is one whose rows are whole."""
        with self._reading():
            verify.evaluations(self._db, self.path, None, self._unverified)
            verify.finals(self._db, self.path, self._unverified)

    # --- reading for the runner ------------------------------------------------------------
    def fingerprints(self) -> dict[str, str]:
        with self._reading():
            return dict(self._db.execute("SELECT config, fingerprint FROM configs"))

    def run_states(self) -> dict[str, RunState]:
        with self._reading():
            data = "r.data" if has_column(self._db, "runs", "data") else "NULL"
            cur = self._db.execute(
                "SELECT r.run, r.config, r.repeat, r.seed, r.status, "
                "(SELECT count(*) FROM evaluations e WHERE e.run = r.run), "
                f"{data}, (SELECT count(*) FROM evaluations e WHERE e.run = r.run "
                "AND e.status = 'failed') FROM runs r")
            return {row[0]: RunState(*row) for row in cur}

    def recorded(self, run: str) -> list[Recorded]:
        """The run's journaled evaluations in the order they arrived (index order unless
        they were submitted one by one): completions 0..n-1, each index once; each row
        checked as reports check it, so a damaged one stops the resume."""
        out: list[Recorded] = []
        with self._reading():
            checked = self._verified(run)
        c, decoded = checked.columns, checked.decoded
        places = [i if a is None else a for i, a in zip(c["idx"], c["arrival"])]
        for row in sorted(range(len(places)), key=places.__getitem__):
            idx, p = c["idx"][row], places[row]
            if p != len(out):
                raise JournalError(f"{self.path}: run {run} misses evaluation {len(out)}"
                                   if p == idx else f"{self.path}: run {run} misses "
                                   f"completion {len(out)}")
            out.append(Recorded(idx, c["hash"][row], Result(
                fitness=c["fitness"][row], metrics=decoded[row],
                cost_seconds=c["cost_seconds"][row], status=c["status"][row],
                error=c["error"][row])))
        return out

    def run_progress(self) -> list[RunProgress]:
        """Every run with its evaluations so far and their best fitness (`nasdsl status`),
        from the rows as reports read them: checked the same way."""
        with self._reading():
            columns = self._verified().columns
            runs = self._db.execute("SELECT run, config, repeat, status, started, finished "
                                    "FROM runs").fetchall()
        rows = pd.DataFrame({"run": pd.Series(columns["run"], dtype=object),
                             "fitness": numbers(columns["fitness"]),
                             "ok": np.asarray(columns["status"], dtype=object) == "ok",
                             "epochs": _fidelities(columns["metrics"])})
        counts = rows.groupby("run", sort=False).size()
        at = rows.dropna(subset=["epochs"]).groupby(["run", "epochs"]).size()
        fidelities: dict[str, list[tuple[int, int]]] = {}
        for (run, epochs), n in at.items():
            fidelities.setdefault(run, []).append((int(epochs), int(n)))
        top = rows.groupby("run", sort=False)["epochs"].transform("max")
        judged = rows["ok"] & (rows["epochs"].isna() | (rows["epochs"] >= top))
        best = rows[judged].groupby("run", sort=False)["fitness"].max()
        return [RunProgress(run, config, repeat, status, started, finished,
                            int(counts.get(run, 0)), number(best.get(run)),
                            tuple(fidelities.get(run, ())))
                for run, config, repeat, status, started, finished in runs]

    # --- reading for reports ---------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self._reading():
            return dict(self._db.execute("SELECT key, value FROM meta"))

    def configs(self) -> pd.DataFrame:
        with self._reading():
            df = pd.read_sql_query("SELECT * FROM configs ORDER BY position", self._db)
            for column in ("settings", "swept", "space", "evaluator"):
                df[column] = df[column].map(json.loads)
        return df

    def runs(self) -> pd.DataFrame:
        with self._reading():
            return pd.read_sql_query(
                "SELECT r.run, r.config, r.repeat, r.seed, r.status, r.evaluations FROM runs r "
                "LEFT JOIN configs c ON c.config = r.config ORDER BY c.position, r.repeat",
                self._db)

    def outcomes(self) -> pd.DataFrame:
        """One row per finished run with an outcome: search, config, repeat, seed, then one
        column per outcome key; sorted by configuration position and repeat."""
        with self._reading():
            rows = verify.rows_if_table(
                self._db,
                "SELECT c.search, c.config, r.repeat, r.seed, o.outcome FROM outcomes o "
                "JOIN runs r ON r.run = o.run JOIN configs c ON c.config = r.config "
                "ORDER BY c.position, r.repeat")
        df = pd.DataFrame.from_records([r[:-1] for r in rows],
                                       columns=["search", "config", "repeat", "seed"])
        for name, values in expand_json([r[-1] for r in rows]).items():
            df[name] = values
        return df

    def finals(self) -> pd.DataFrame:
        """The retrainings of `final { … }`, by configuration position and rank; one column
        per metric after the fixed ones. Empty for a journal without any. Each row is
        checked as evaluations are."""
        with self._reading():
            rows = verify.finals(self._db, self.path, self._unverified).rows
        columns = ["search", *FINAL_COLUMNS]
        df = pd.DataFrame.from_records([r[:-1] for r in rows], columns=columns)
        metrics = expand_json([r[columns.index("metrics")] for r in rows])
        df = df.drop(columns=["metrics"])
        for name, values in metrics.items():
            df[name if name not in df.columns else f"metric.{name}"] = values
        return df

    def evaluations(self) -> pd.DataFrame:
        """One row per evaluation: the fixed columns, then one per metric, then one per swept
        key; sorted by configuration position, run, index."""
        with self._reading():
            return self._evaluations()

    def _evaluations(self) -> pd.DataFrame:
        """Column by column: what belongs to a run (its search, configuration, seed, swept
        values) is looked up once per run and spread over its rows by position, never per
        row; each column of the rows is built from its array in one step."""
        checked = self._verified()
        c = checked.columns
        runs = pd.DataFrame.from_records(self._db.execute(
            "SELECT r.run, c.search, c.config, r.repeat, r.seed, c.position FROM runs r "
            "JOIN configs c ON c.config = r.config").fetchall(),
            columns=["key", "search", "config", "run", "seed", "position"])
        found, keys = pd.factorize(c["run"])
        codes = np.append(pd.Index(runs["key"].astype(object)).get_indexer(keys), -1)[found]
        index = np.asarray(c["idx"], dtype=np.int64)
        kept = np.flatnonzero(codes >= 0)  # rows of runs the runs table holds
        position = runs["position"].to_numpy()[codes[kept]]
        repeat = runs["run"].to_numpy()[codes[kept]]
        kept = kept[np.lexsort((index[kept], repeat, position))]
        used, of_run = np.unique(codes[kept], return_inverse=True)  # row -> its run in `used`
        mine = runs.iloc[used].reset_index(drop=True)

        def per_run(values: pd.Series) -> pd.Series:
            return values.take(of_run).reset_index(drop=True)

        def column(name: str) -> pd.Series:
            return _column(c[name][kept])

        df = pd.DataFrame({"search": per_run(mine["search"]), "config": per_run(mine["config"]),
                           "run": per_run(mine["run"]), "seed": per_run(mine["seed"]),
                           "index": index[kept],
                           **{name: column(name) for name in (
                               "generation", "architecture", "hash", "status", "error",
                               "cost_seconds", "wall_seconds")},
                           "fitness": numbers(c["fitness"][kept])},
                          columns=_EVALUATION_COLUMNS)
        metrics = checked.metrics
        if len(kept) < len(index):  # rows of runs the table lacks: their metrics left out
            metrics = json_columns([checked.decoded[i] for i in kept])
        else:
            metrics = {name: values[kept] if isinstance(values, np.ndarray)
                       else np.asarray(values, dtype=object)[kept].tolist()
                       for name, values in metrics.items()}
        for name, values in metrics.items():
            df[name if name not in df.columns else f"metric.{name}"] = values
        swept = {c: json.loads(s) for c, s in self._db.execute("SELECT config, swept FROM configs")}
        keys: list[str] = []
        for values in swept.values():
            keys += [k for k in values if k not in keys]
        for key in keys:
            column = key if key not in df.columns else f"swept.{key}"
            df[column] = per_run(mine["config"].map({c: v.get(key) for c, v in swept.items()}))
        return df
