# expect 3:15 only a `search` takes a label
budget = 10 evals
space cell as x { }
evaluate nasbench101 { }
search random
