# Shards of one drill (--shard I/N) and their merge (eventdrill merge).
ed_integration_test(shards_merge shards_merge.sh)
ed_integration_test(shards_refuse shards_refuse.sh)
ed_integration_test(shards_coordinated shards_coordinated.sh)
ed_integration_test(shards_cross shards_cross.sh)
# deploy/slurm/drill.sbatch on a one-node Slurm cluster the test starts
# (lib/slurm.sh; installs slurm-wlm and munge when missing): three jobs of
# 4 shards, one of them with a shard killed mid-run.
ed_integration_test(slurm_drill slurm_drill.sh)
set_tests_properties(integration.slurm_drill PROPERTIES TIMEOUT 900)
ed_integration_test(k8s_manifest k8s_manifest.sh)
