# expect 1:1 at least one `search` block is required
budget = 10 evals
space cell { }
evaluate nasbench101 { }
