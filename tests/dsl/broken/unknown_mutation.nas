# expect 5:43 unknown mutation `grwo`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation = grwo(add_node = 0.1) }
