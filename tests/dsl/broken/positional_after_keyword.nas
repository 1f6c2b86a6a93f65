# expect 5:64 positional argument cannot follow
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation = grow(add_node = 0.1, 0.2) }
