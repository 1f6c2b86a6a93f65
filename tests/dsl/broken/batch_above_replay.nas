# expect 5:23 below the default `batch_size`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search dqn { replay = 16 }
