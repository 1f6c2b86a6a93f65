experiment nb101_dqn
seed = 0; repeat = 10; budget = 1000 evaluations
space cell { topology = chain }      # 363 architectures
evaluate nasbench101 { fitness = validation_accuracy }
search dqn as dense { network = dense(units = [64, 64]); target_network in [false, true] }
search dqn as lstm  { network = lstm(units = 64);        target_network in [false, true] }
