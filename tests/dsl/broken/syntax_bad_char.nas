# expect 3:10 unexpected character `@`
budget = 10 evals
seed = 1 @
space cell { }
evaluate nasbench101 { }
search random
