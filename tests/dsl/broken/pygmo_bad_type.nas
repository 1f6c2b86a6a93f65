# expect 5:29 `memory` must be `true` or `false`, got 3
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.pso { memory = 3 }
