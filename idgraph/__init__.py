"""The ``idgraph`` command line (composition root of ``graph`` and ``api``)."""
