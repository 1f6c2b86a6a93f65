# expect 6:8 two searches are labelled `random`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
search random
