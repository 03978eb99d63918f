"""The plumbing every other package builds on, importing no other part of cnnkit: the registry of
names, users' custom objects, the channels-last/NCHW layout rules, atomic file writes, the
PyDataset base class of data sources and the random generators' states. Users reach these
through their Keras addresses (`cnnkit.utils`, `cnnkit.saving`)."""
