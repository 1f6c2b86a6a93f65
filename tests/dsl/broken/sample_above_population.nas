# expect 5:58 `sample` must not exceed `population` (10), got 20
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { population = 10; sample = 20 }
