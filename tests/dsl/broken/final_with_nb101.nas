# expect 6:1 `final` retrains
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
final { top = 3 }
