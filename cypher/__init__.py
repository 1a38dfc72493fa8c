"""Every Cypher text idgraph runs, one query per ``.cypher`` file (package data).

Loaded by :mod:`graph.store.catalog`; see README.md beside this file for the graph model.
"""
