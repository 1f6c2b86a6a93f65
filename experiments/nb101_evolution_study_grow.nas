# The regularized-evolution study's grid with the study's own growth loop: each rate drawn
# once per child, a child with no mutation a copy of its parent, an oversized child scored
# `invalid` (the benchmark gave it nothing) and still an evaluation. Beside nb101_evolution.nas
# (nasdsl's redrawing `grow`), it shows whether the absolute rates matter as the study found.
experiment nb101_evolution_study_grow

seed   = 0
repeat = 10
budget = 1500 evaluations

space cell {
    vertices = 7
    edges    = 9
    ops      = [conv1x1, conv3x3, maxpool3x3]
}

evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search regularized_evolution as study_grow {
    (population, sample) in [(100, 2), (100, 50), (20, 20), (100, 25), (64, 16)]
    mutation = grow(add_node in [0.01, 0.05, 0.10, 0.15, 0.20],
                    add_connection in [0.01, 0.05, 0.10, 0.15, 0.20], redraw = false)
}

run { workers = 2 }

output = "results/nb101_evolution_study_grow"
