# The study's wide space: NAS-Bench-101 cells in which every vertex (the output included) has
# at most two inputs, 182,947 cells. The LSTM controller with and without a target network,
# 10 runs of 2,000 episodes each.
experiment nb101_dqn_wide

seed   = 0
repeat = 10
budget = 2000 evaluations

space cell { inputs = 2 }            # 182,947 architectures

evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search dqn as lstm { network = lstm(units = 64); target_network in [false, true] }

# Two processes, a whole run each at a time (the summary does not depend on it).
run { workers = 2 }

output = "results/nb101_dqn_wide"
