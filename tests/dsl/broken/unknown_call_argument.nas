# expect 5:48 unknown argument `add_nod` of `grow`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation = grow(add_nod = 0.1) }
