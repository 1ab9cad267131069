"""Defaults of the search (:func:`skateboard.optimise.search.optimise`), in a module of their own
so that the command line can show them without importing the optimiser."""

#: Defaults of the command line: individuals per generation, most generations, and generations
#: without improvement before the search stops.
POPULATION = 40
GENERATIONS = 60
PATIENCE = 15
