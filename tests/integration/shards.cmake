# Shards of one drill (--shard I/N) and their merge (eventdrill merge).
ed_integration_test(shards_merge shards_merge.sh)
ed_integration_test(shards_refuse shards_refuse.sh)
ed_integration_test(shards_coordinated shards_coordinated.sh)
