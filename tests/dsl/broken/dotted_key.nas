# expect 5:32 a key has no `.`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation.add_node = 0.2 }
