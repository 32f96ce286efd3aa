# The Key Event Support Summary Report (eventdrill summary) over a whole
# engagement built against the simulator.
ed_integration_test(summary_engagement summary_engagement.sh)
