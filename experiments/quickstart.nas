# Quickstart: random search against regularized evolution on NAS-Bench-101, with the two
# mutations nasdsl offers: the NAS-Bench-101 paper's `flip` and the NORD study's `grow`.
# Runs in seconds once the table is imported (`make data`, or
# `nasdsl data nasbench101 --import nb101_test_r0.npz`).
experiment quickstart

seed   = 0
repeat = 5
budget = 300 evaluations

space cell {
    vertices = 7
    edges    = 9
    ops      = [conv1x1, conv3x3, maxpool3x3]
}

# The shared table holds one measured accuracy per cell: the test accuracy of the first of
# NAS-Bench-101's three training runs (no validation accuracy, no training times). So the
# searches maximize test_accuracy here; with the full official table use validation_accuracy.
evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search random

search regularized_evolution as evolution_flip {
    population = 50
    sample     = 10
    mutation   = flip(rate = 1.0)
}

search regularized_evolution as evolution_grow {
    population = 50
    sample     = 10
    mutation   = grow(add_node = 0.10, add_connection = 0.15)
}

output = "results/quickstart"
