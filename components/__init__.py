"""ComponentResources of the topfans stack graph, one concept per module."""
