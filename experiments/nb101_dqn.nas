# The deep-Q-learning controller of the study on its chain space (363 cells): a dense and an
# LSTM Q-network, each with a target network and without one (the study's "1-network" runs),
# 10 runs of 1,000 episodes each. One episode builds and evaluates one architecture.
experiment nb101_dqn

seed   = 0
repeat = 10
budget = 1000 evaluations

space cell { topology = chain }      # 363 architectures

# The shared table holds only the test accuracy of NAS-Bench-101's first training run, so
# fitness is test_accuracy; with the full official table the study's choice is
# validation_accuracy.
evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search dqn as dense { network = dense(units = [64, 64]); target_network in [false, true] }
search dqn as lstm  { network = lstm(units = 64);        target_network in [false, true] }

# Two processes, a whole run each at a time; a run is determined by its seed, so the summary is
# the same with any number of workers.
run { workers = 2 }

output = "results/nb101_dqn"
