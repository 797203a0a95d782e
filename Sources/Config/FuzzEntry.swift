/// Entry point for the fuzzer (sip-fuzz) and its regression tests: any text as a configuration file gives a
/// typed error naming the problem, or a configuration; never a trap.
public func fuzzLoadConfiguration(_ buffer: UnsafeRawBufferPointer) {
    guard buffer.count <= 16_384 else { return }
    let text = String(decoding: buffer, as: UTF8.self)
    var config = InstanceConfig()
    do throws(ConfigError) {
        try ConfigLoader.apply(yaml: text, source: "fuzz", to: &config)
    } catch {
        precondition(!error.description.isEmpty)
    }
}
