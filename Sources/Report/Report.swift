// Report module: reads tlsfloord's connection records back (see docs/legacy-clients.md).
