import Testing

/// Every suite of the library runs one test at a time: the process tests start real groups (five processes
/// each) in port blocks of 17000-17999, and the figures they judge (tone level, MOS) want an unloaded machine.
@Suite(.serialized) struct SIPClientTests {}
