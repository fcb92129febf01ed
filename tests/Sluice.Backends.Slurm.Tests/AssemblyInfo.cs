// Every test here shares one real Slurm, and some take a node down on purpose: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
