"""Scale: the same extraction on more cores (worker processes) or more machines (Spark).

Nothing here extracts anything of its own: every path calls frontwatch.pipeline.
"""
