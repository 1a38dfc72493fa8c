"""Every Cypher text idgraph runs, one query per ``.cypher`` file (package data).

Loaded by :mod:`graph.cypher`; see README.md beside this file for the graph model.
"""
