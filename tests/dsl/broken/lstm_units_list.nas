# expect 5:37 `network.units` must be an integer
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search dqn { network = lstm(units = [64]) }
