"""Graph exploration for investigators: subgraphs, paths, GraphML."""
