# The metaheuristics study on NAS-Bench-101: Extended Ant Colony (GACO), Particle Swarm (PSO)
# and Artificial Bee Colony (ABC) against random search, 50 generations of 30 individuals,
# 10 runs each. The shared table holds test accuracy only, hence `fitness = test_accuracy`.
#
# Each search runs its 50 generations as the study did, whatever that costs in evaluations,
# so each carries its own budget, exactly what its generations spend (nasdsl stops a search
# when its budget is spent, and a budget of exactly that size never cuts one short):
#   GACO, PSO  30 (the initial population, generation 0) + 50 × 30 = 1530 evaluations
#   ABC        30 + 50 × 2 × 30 = 3030 (pygmo's ABC evaluates each bee twice a generation:
#              employed and onlooker phases)
#   random     50 generations of 30 = 1500 (the top-level budget)
# A vector that decodes to no valid cell is repaired to the nearest valid one (docs/search.md,
# "pygmo metaheuristics"); the study scored such vectors 0.
experiment nb101_metaheuristics
seed = 0; repeat = 10
budget = 1500 evaluations
space cell { vertices = 7; edges = 9; ops = [conv1x1, conv3x3, maxpool3x3] }
evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }

# The study's GACO: pygmo.gaco(gen 50, ker 13, q 1.0, oracle 1e9, acc 0.0, threshold 1,
# n_gen_mark 7, impstop 100000, evalstop 100000, focus 0.0, memory false), on integers.
search pygmo.gaco as gaco {
    generations = 50; population = 30; budget = 1530 evaluations
    ker = 13; q = 1.0; oracle = 1e9; acc = 0.0; threshold = 1; n_gen_mark = 7
    impstop = 100000; evalstop = 100000; focus = 0.0; memory = false
}
# The study's PSO: canonical PSO with inertia weight (variant 1) on the global-best
# neighbourhood (neighb_type 1), omega 0.7298, eta1 = eta2 = 2.05, max_vel 0.5.
search pygmo.pso as pso {
    generations = 50; population = 30; budget = 1530 evaluations
    omega = 0.7298; eta1 = 2.05; eta2 = 2.05; max_vel = 0.5
    variant = 1; neighb_type = 1; neighb_param = 4; memory = false
}
# The study's ABC: a food source is abandoned after 20 trials without improvement.
search pygmo.bee_colony as abc { generations = 50; population = 30; limit = 20
                                 budget = 3030 evaluations }
# NAS-Bench-101's random search: valid cells, 30 a generation.
search random
run { workers = 2 }
output = "results/nb101_metaheuristics"
