# expect 5:44 `ker` must not exceed `population` (10)
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.gaco { population = 10; ker = 30 }
