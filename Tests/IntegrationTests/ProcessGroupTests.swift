import Testing

/// Every test that starts real process groups (and real SIP peers) nests here, so they run one at a time:
/// on a 2-core machine, several groups at once starve each other's 20 ms media ticks and heartbeats and make
/// timing-dependent checks flaky. Unit tests of the pure modules still run in parallel with them.
@Suite(.serialized) struct ProcessGroupTests {}
