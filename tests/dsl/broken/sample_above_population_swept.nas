# expect 6:44 `sample` must not exceed `population` (10), got 50
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution {
    (population, sample) in [(10, 5), (10, 50)]
}
