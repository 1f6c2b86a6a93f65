experiment nb101_metaheuristics
seed = 0; repeat = 10
budget = 1500 evaluations            # 50 generations of 30
space cell { vertices = 7; edges = 9 }
evaluate nasbench101 { fitness = validation_accuracy }
search pygmo.gaco       { generations = 50; population = 30; ker = 30 }
search pygmo.pso        { generations = 50; population = 30 }
search pygmo.bee_colony { generations = 50; population = 30 }
search random
