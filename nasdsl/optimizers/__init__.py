"""Search algorithms, each one class with `search(evaluate_batch, budget, rng)`."""
