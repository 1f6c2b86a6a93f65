# expect 5:16 unexpected end of file
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random {
