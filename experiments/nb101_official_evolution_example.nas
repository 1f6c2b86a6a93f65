# Needs the official NAS-Bench-101 table (`nasdsl data nasbench101 --download`): it asks for
# validation accuracy and training time, which the shared test-accuracy table lacks.
# Regularized evolution on NAS-Bench-101 with the growth mutations of the original study:
# the language reference's example (`nb101_evolution.nas` is the study's full grid).
experiment nb101_official_evolution_example

seed   = 0
repeat = 10
budget = 1500 evaluations

space cell {
    vertices = 7                      # at most, input and output included
    edges    = 9                      # at most
    ops      = [conv1x1, conv3x3, maxpool3x3]
}

evaluate nasbench101 {
    fitness = validation_accuracy
    report  = [test_accuracy, training_time]
}

search regularized_evolution {
    (population, sample) in [(100, 2), (100, 50), (20, 20), (100, 25), (64, 16)]
    mutation = grow(add_node = 0.10, add_connection = 0.15)
}

output = "results/nb101_official_evolution_example"
