# Regularized evolution on NAS-Bench-101 with the growth mutations of the original study:
# every (population, sample) pair x every add_node rate x every add_connection rate,
# 10 runs of 1500 evaluations each (1,250 runs, 1,875,000 evaluations).
experiment nb101_evolution

seed   = 0
repeat = 10
budget = 1500 evaluations

space cell {
    vertices = 7                      # at most, input and output included
    edges    = 9                      # at most
    ops      = [conv1x1, conv3x3, maxpool3x3]
}

# The shared table holds only the test accuracy of NAS-Bench-101's first training run
# (no validation accuracy, no training times), so fitness is test_accuracy; with the full
# official table the study's choice is validation_accuracy.
evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search regularized_evolution {
    (population, sample) in [(100, 2), (100, 50), (20, 20), (100, 25), (64, 16)]
    mutation = grow(add_node in [0.01, 0.05, 0.10, 0.15, 0.20],
                    add_connection in [0.01, 0.05, 0.10, 0.15, 0.20])
}

# Lookups are cheap: whole runs go to worker processes, one per core.
run { workers = 2 }

output = "results/nb101_evolution"
