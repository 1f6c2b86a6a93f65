# expect 4:34 unknown metric `validaton_accuracy`
budget = 10 evals
space cell { }
evaluate nasbench101 { fitness = validaton_accuracy }
search random
