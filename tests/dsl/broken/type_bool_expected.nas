# expect 5:31 `target_network` must be `true` or `false`, got 1
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search dqn { target_network = 1 }
