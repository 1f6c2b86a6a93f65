"""`nasdsl data …`: import, download, describe or verify benchmark data (the NAS-Bench-101
table; Fashion-MNIST, MNIST, CIFAR-10 for `evaluate keras`)."""
from __future__ import annotations

import argparse


def data_command(args: argparse.Namespace) -> int:
    """Run the data command; a download or import stops cleanly on SIGINT / SIGTERM, as a
    run does."""
    from nasdsl.interrupts import stop_on_signals

    with stop_on_signals():
        if args.dataset != "nasbench101":
            from nasdsl.training.dataset_import import dataset_command

            return dataset_command(args)
        from nasdsl.store.command import data_command as nasbench101

        return nasbench101(args)
