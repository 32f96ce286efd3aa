"""The scenario of a chain across three shards (shards_cross.sh,
slurm_drill.sh): eight BMCs of one eventdrill-sim on PORT..PORT+7, BMC k
named t<k> on site "abcd"[k // 2] (site a is shard 0 ... d shard 3 with
--shard-by site). BMC 5 is also reached as c-power (site b) and c-watch
(site d): the fault powers t5 off (shard 2), the check that triggers and
verifies the plan reads c-watch (shard 3), the plan's step powers c-power
on (shard 1).

usage: cross_scenario.py OUT SECONDS FAULT_AT UNDO_WHEN DETECTION_DELAY PORT
"""
import json, sys
out, secs, at, when, delay = sys.argv[1:6]
port = int(sys.argv[6])
def bmc(k, site):
    return {"driver": "redfish", "url": f"http://127.0.0.1:{port + k}",
            "auth": "basic", "credentials": "env:BMC_CREDS",
            "rehearsal": True, "labels": {"site": site}}
targets = {f"t{k}": bmc(k, "abcd"[k // 2]) for k in range(8)}
targets["c-power"] = bmc(5, "b")
targets["c-watch"] = bmc(5, "d")
power = {"get": {"path": "/redfish/v1/Systems/1", "pointer": "/PowerState"}}
json.dump({
  "name": "cross", "seed": 7, "targets": targets,
  "workloads": [{"name": "poll", "targets": [f"t{k}" for k in range(8)],
                 "op": {"get": "/redfish/v1"}, "arrival": "poisson",
                 "rate": [{"name": "steady", "constant": 10, "for": secs}]}],
  "checks": {"c-on": {"target": "c-watch", "op": power,
                      "expect": {"status": 200, "equals": "On"},
                      "mode": "continuous", "every": "300ms"}},
  "faults": [{"name": "c-power-loss", "at": at, "target": "t5",
              "action": {"reset": "ForceOff"},
              "undo": {"action": {"reset": "On"}, "when": when},
              "plan": "restore"}],
  "plans": {"restore": {"rto": "10s", "rto_from": "fault",
                        "trigger": {"check_red": "c-on"},
                        "detection_delay": delay,
                        "steps": [{"name": "power on", "target": "c-power",
                                   "action": {"reset": "On"},
                                   "verify": ["c-on"], "timeout": "5s",
                                   "retries": 3, "backoff": "500ms"}]}},
  "slo": {"error_rate": 0.2},
}, open(out, "w"), indent=1)
