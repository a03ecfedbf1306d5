"""The public matching evaluation set (members, project queries, graded judgements) and its
scorer, kept inside the repository so tests and benchmarks need nothing beside it."""
